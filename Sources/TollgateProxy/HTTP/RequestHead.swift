/// A parsed request head: ranges into the bytes it was parsed from, plus what the proxy needs to decide.
struct RequestHead {
    var method: Range<Int> = 0..<0
    var target: Range<Int> = 0..<0
    var minorVersion = 1
    var fieldCount = 0
    var contentLength: Int?
    var chunked = false
    var keepAlive = true
    var expectContinue = false
    var host: Range<Int>?
    var requestID: Range<Int>?
    var forwardedFor: Range<Int>?
    var forwarded: Range<Int>?
    var hasConnectionOptions = false
    /// Bytes from the start of the buffer through the empty line.
    var length = 0

    var hasBody: Bool { chunked || (contentLength ?? 0) > 0 }
}

/// Why a request head was refused, with the status the proxy answers.
struct RequestHeadError: Error, Equatable {
    var status: Int
    var reason: StaticString

    static func == (lhs: RequestHeadError, rhs: RequestHeadError) -> Bool {
        lhs.status == rhs.status && lhs.reason.utf8Start == rhs.reason.utf8Start
    }

    static let malformed = RequestHeadError(status: 400, reason: "malformed request")
    static let requestLineTooLong = RequestHeadError(status: 414, reason: "request line too long")
    static let headerTooLarge = RequestHeadError(status: 431, reason: "request header too large")
    static let tooManyFields = RequestHeadError(status: 431, reason: "too many header fields")
    static let badFraming = RequestHeadError(status: 400, reason: "ambiguous message framing")
    static let missingHost = RequestHeadError(status: 400, reason: "missing or invalid host")
    static let unsupportedVersion = RequestHeadError(status: 505, reason: "http version not supported")
    static let unsupportedExpectation = RequestHeadError(status: 417, reason: "expectation not supported")
    static let unsupportedEncoding = RequestHeadError(status: 501, reason: "transfer coding not supported")
}
