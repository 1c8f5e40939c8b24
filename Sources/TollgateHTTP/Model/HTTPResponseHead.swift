/// A parsed upstream response head (RFC 9112 section 4 and 5).
///
/// Same field-line rules as requests (token names, no whitespace before colon, no obs-fold, no bare
/// CR/LF, no NUL). Documented leniency for upstream responses only: a status line without the SP
/// before an empty reason (`HTTP/1.1 200`) is accepted; Host is not required. Content-Length with
/// Transfer-Encoding is still refused (the proxy answers 502 rather than guess the framing).
public struct HTTPResponseHead: Sendable {
    /// The head's bytes: status line, field lines, final empty line.
    public let rawBytes: [UInt8]
    /// HTTP/1.0 or HTTP/1.1.
    public let version: HTTPVersion
    /// The status code, 100...999 (three digits, RFC 9112 section 4).
    public let status: Int
    /// The header fields in received order.
    public let headers: HTTPHeaders
    /// The Content-Length value when present (validated as for requests), else nil.
    public let contentLength: Int?
    /// Whether Transfer-Encoding is present with `chunked` as the only coding.
    public let isChunked: Bool
    /// Whether Transfer-Encoding is present with a final coding other than `chunked` (read until close,
    /// RFC 9112 section 6.3 rule 4).
    public let hasNonChunkedTransferEncoding: Bool
    /// Whether the header allows reusing the connection: HTTP/1.1 unless `Connection: close`, HTTP/1.0 only
    /// with `Connection: keep-alive`. A close-delimited body also ends the connection (see `bodyFraming`).
    public let keepAlive: Bool

    let reasonRange: Range<Int>

    init(
        rawBytes: [UInt8], version: HTTPVersion, status: Int, headers: HTTPHeaders, contentLength: Int?,
        isChunked: Bool, hasNonChunkedTransferEncoding: Bool, keepAlive: Bool, reasonRange: Range<Int>
    ) {
        self.rawBytes = rawBytes
        self.version = version
        self.status = status
        self.headers = headers
        self.contentLength = contentLength
        self.isChunked = isChunked
        self.hasNonChunkedTransferEncoding = hasNonChunkedTransferEncoding
        self.keepAlive = keepAlive
        self.reasonRange = reasonRange
    }

    /// Reason-phrase bytes (may be empty).
    public var reasonBytes: ArraySlice<UInt8> { rawBytes[reasonRange] }
    /// Reason-phrase (may be empty; clients ignore it, RFC 9112 section 4).
    public var reason: String { String(decoding: reasonBytes, as: UTF8.self) }
    /// A 1xx interim response (e.g. 100 Continue); the final response follows it as its own head.
    public var isInformational: Bool { status >= 100 && status < 200 }

    /// How the body is delimited, given the request method (RFC 9112 section 6.3):
    /// HEAD, 1xx, 204 and 304 have no body; then chunked; then Content-Length; otherwise until close.
    public func bodyFraming(requestMethod: HTTPMethod) -> HTTPBodyFraming {
        if requestMethod == .head || isInformational || status == 204 || status == 304 { return .none }
        if isChunked { return .chunked }
        if hasNonChunkedTransferEncoding { return .untilClose }
        if let contentLength { return .contentLength(contentLength) }
        return .untilClose
    }

    /// Whether the upstream connection can be reused after this response to `requestMethod`.
    public func isReusable(requestMethod: HTTPMethod) -> Bool {
        keepAlive && bodyFraming(requestMethod: requestMethod) != .untilClose
    }
}
