/// A request method (RFC 9110 section 9): the registered ones as cases, any other token as `.other`.
public enum HTTPMethod: Sendable, Hashable, CustomStringConvertible {
    case get, head, post, put, delete, connect, options, trace, patch
    /// Any other method token, case preserved (methods are case-sensitive, RFC 9110 section 9.1).
    case other(String)

    /// Creates a method from its name (case-sensitive: `get` is an extension method, not GET).
    public init(_ name: String) {
        switch name {
        case "GET": self = .get
        case "HEAD": self = .head
        case "POST": self = .post
        case "PUT": self = .put
        case "DELETE": self = .delete
        case "CONNECT": self = .connect
        case "OPTIONS": self = .options
        case "TRACE": self = .trace
        case "PATCH": self = .patch
        default: self = .other(name)
        }
    }

    /// The method token as sent on the wire.
    public var name: String {
        switch self {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .put: "PUT"
        case .delete: "DELETE"
        case .connect: "CONNECT"
        case .options: "OPTIONS"
        case .trace: "TRACE"
        case .patch: "PATCH"
        case .other(let name): name
        }
    }

    public var description: String { name }

    /// Maps method bytes to a method without creating a String for the registered methods.
    static func from(_ bytes: UnsafeRawBufferPointer) -> HTTPMethod {
        func eq(_ literal: StaticString) -> Bool {
            guard literal.utf8CodeUnitCount == bytes.count else { return false }
            let lit = literal.utf8Start
            for i in 0..<bytes.count where bytes[i] != lit[i] { return false }
            return true
        }
        switch bytes.count {
        case 3:
            if eq("GET") { return .get }
            if eq("PUT") { return .put }
        case 4:
            if eq("POST") { return .post }
            if eq("HEAD") { return .head }
        case 5:
            if eq("PATCH") { return .patch }
            if eq("TRACE") { return .trace }
        case 6:
            if eq("DELETE") { return .delete }
        case 7:
            if eq("OPTIONS") { return .options }
            if eq("CONNECT") { return .connect }
        default: break
        }
        return .other(String(decoding: bytes, as: UTF8.self))
    }
}

/// The protocol version of a message; only HTTP/1.0 and HTTP/1.1 are accepted (others: 505).
public enum HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    case http1_0
    case http1_1

    public var description: String { self == .http1_0 ? "HTTP/1.0" : "HTTP/1.1" }
}

/// How the body of a message is delimited (RFC 9112 section 6.3).
public enum HTTPBodyFraming: Sendable, Hashable {
    /// No body (a request with neither Content-Length nor Transfer-Encoding; HEAD, 1xx, 204, 304 responses).
    case none
    /// Exactly this many bytes follow the head.
    case contentLength(Int)
    /// A chunked body follows; decode it with `ChunkedDecoder`.
    case chunked
    /// Response only: the body runs until the upstream closes the connection.
    case untilClose
}

/// The form of a request-target (RFC 9112 section 3.2).
public enum HTTPTargetForm: Sendable, Hashable {
    /// `/path?query` (section 3.2.1).
    case origin
    /// `http://host/path?query` (section 3.2.2); the authority is kept in `HTTPRequestHead.targetAuthority`.
    case absolute
    /// `*`, only with OPTIONS (section 3.2.4).
    case asterisk
}
