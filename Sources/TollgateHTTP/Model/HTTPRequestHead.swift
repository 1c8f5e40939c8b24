/// A parsed, validated request head (RFC 9112 sections 3 and 5).
///
/// The head's bytes are stored once (`rawBytes`, request line through the final CRLF CRLF, leading
/// empty lines excluded); the target, path, query and header fields are ranges into it, and the String
/// accessors build Strings only when called.
///
/// Accepted request-targets (RFC 9112 section 3.2): origin-form (`/path?query`), absolute-form with an
/// `http` or `https` scheme (`http://host/path`, authority kept in `targetAuthority`), asterisk-form
/// (`*`) with OPTIONS only. CONNECT (authority-form) is refused with `unsupportedMethod` (501). Target
/// bytes: visible ASCII except `#`, plus obs-text (0x80-0xFF); controls, spaces and DEL are refused.
public struct HTTPRequestHead: Sendable {
    /// The head's bytes: request line, field lines, final empty line.
    public let rawBytes: [UInt8]
    /// The request method.
    public let method: HTTPMethod
    /// HTTP/1.0 or HTTP/1.1.
    public let version: HTTPVersion
    /// The header fields in received order.
    public let headers: HTTPHeaders
    /// How the request body is delimited: `.none`, `.contentLength(n)` or `.chunked` (never `.untilClose`).
    public let bodyFraming: HTTPBodyFraming
    /// Whether the connection stays open after this exchange: HTTP/1.1 unless `Connection: close`;
    /// HTTP/1.0 only with `Connection: keep-alive` (RFC 9112 section 9.3).
    public let keepAlive: Bool
    /// `Expect: 100-continue` on an HTTP/1.1 request (ignored for 1.0, RFC 9110 section 10.1.1).
    public let expectsContinue: Bool
    /// Which form the request-target has.
    public let targetForm: HTTPTargetForm

    let targetRange: Range<Int>
    let authorityRange: Range<Int>?
    let pathRange: Range<Int>
    let queryRange: Range<Int>?
    let hostFieldIndex: Int?

    init(
        rawBytes: [UInt8], method: HTTPMethod, version: HTTPVersion, headers: HTTPHeaders,
        bodyFraming: HTTPBodyFraming, keepAlive: Bool, expectsContinue: Bool, targetForm: HTTPTargetForm,
        targetRange: Range<Int>, authorityRange: Range<Int>?, pathRange: Range<Int>, queryRange: Range<Int>?,
        hostFieldIndex: Int?
    ) {
        self.rawBytes = rawBytes
        self.method = method
        self.version = version
        self.headers = headers
        self.bodyFraming = bodyFraming
        self.keepAlive = keepAlive
        self.expectsContinue = expectsContinue
        self.targetForm = targetForm
        self.targetRange = targetRange
        self.authorityRange = authorityRange
        self.pathRange = pathRange
        self.queryRange = queryRange
        self.hostFieldIndex = hostFieldIndex
    }

    /// The Content-Length of the body when framed by length, else nil.
    public var contentLength: Int? {
        if case .contentLength(let n) = bodyFraming { return n }
        return nil
    }

    /// The request-target bytes as received.
    public var targetBytes: ArraySlice<UInt8> { rawBytes[targetRange] }
    /// The request-target as received (e.g. `/a/b?x=1` or `http://h/a`).
    public var target: String { String(decoding: targetBytes, as: UTF8.self) }
    /// Path bytes (absolute-path; empty for asterisk-form and for `http://host` without a path).
    public var pathBytes: ArraySlice<UInt8> { rawBytes[pathRange] }
    /// The path, not percent-decoded; `/` for an absolute-form target without a path, `*` for asterisk-form.
    public var path: String {
        switch targetForm {
        case .asterisk: return "*"
        case .absolute where pathRange.isEmpty: return "/"
        default: return String(decoding: pathBytes, as: UTF8.self)
        }
    }
    /// Query bytes after `?` (nil when there is no `?`).
    public var queryBytes: ArraySlice<UInt8>? { queryRange.map { rawBytes[$0] } }
    /// The query after `?`, not decoded; nil when the target has no `?`.
    public var query: String? { queryBytes.map { String(decoding: $0, as: UTF8.self) } }
    /// The authority of an absolute-form target (`host[:port]`), else nil.
    public var targetAuthority: String? { authorityRange.map { String(decoding: rawBytes[$0], as: UTF8.self) } }
    /// The Host field value (exactly one is required for HTTP/1.1, at most one for 1.0), else nil.
    public var hostHeader: String? { hostFieldIndex.map { headers.value(at: $0) } }
    /// The request's host: the absolute-form authority when present (RFC 9112 section 3.2.2), else the Host field.
    public var host: String? { targetAuthority ?? hostHeader }
}

/// The outcome of offering buffered bytes to a head parser.
public enum HTTPHeadParseResult<Head: Sendable>: Sendable {
    /// The head is not complete yet and no limit is exceeded: read more and call again.
    case needMore
    /// A complete, valid head. `headLength` bytes (including skipped leading empty lines) were consumed;
    /// the body or the next pipelined message starts at `headLength`.
    case complete(Head, headLength: Int)
    /// The message is invalid; answer `error.status` and close.
    case failure(HTTPParseError)
}
