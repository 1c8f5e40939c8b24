/// A message the parser refuses, with a stable code and the HTTP status to answer with.
///
/// Equality compares the code only, so tests can assert `#expect(error == HTTPParseError(.bareLF))`.
/// `offset` is the byte offset in the parsed input where the problem was found (context for logs).
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable error codes. The raw value is the case name (used by logs and the test corpus manifest).
    public enum Code: String, Sendable, CaseIterable {
        // Request line (RFC 9112 section 3).
        case invalidRequestLine
        case invalidMethod
        /// CONNECT (authority-form) and other methods the proxy does not implement: 501.
        case unsupportedMethod
        case invalidTarget
        /// A well-formed `HTTP/x.y` other than 1.0 and 1.1: 505.
        case unsupportedVersion
        // Field lines (RFC 9112 section 5, RFC 9110 section 5).
        case invalidHeaderName
        case missingColon
        case whitespaceBeforeColon
        case obsFold
        case bareCR
        case bareLF
        case nulByte
        case invalidHeaderValue
        // Semantics (RFC 9110 section 7.2, RFC 9112 section 6).
        case missingHost
        case multipleHost
        case invalidHost
        case conflictingContentLengthAndTransferEncoding
        case invalidContentLength
        case duplicateContentLength
        /// Malformed Transfer-Encoding, or `chunked` not the final coding (RFC 9112 section 6.3): 400.
        case invalidTransferEncoding
        /// A well-formed coding list ending in `chunked` with other codings before it (e.g. `gzip, chunked`): 501.
        case unsupportedTransferEncoding
        /// Transfer-Encoding in an HTTP/1.0 message (RFC 9112 section 6.1): 400.
        case transferEncodingInHTTP10
        /// An Expect value other than `100-continue` (RFC 9110 section 10.1.1): 417.
        case expectationFailed
        // Limits.
        case requestLineTooLong
        case headerTooLarge
        case tooManyHeaders
        // Chunked body (RFC 9112 section 7.1).
        case invalidChunkSize
        case chunkSizeOverflow
        case invalidChunkExtension
        case chunkExtensionTooLong
        case invalidChunkDelimiter
        case trailerTooLarge
        case invalidTrailer
        // Response side (the proxy answers 502 for all of these).
        case invalidStatusLine
        case responseHeaderTooLarge

        /// The status a server answers with when a request fails with this code.
        public var status: Int {
            switch self {
            case .requestLineTooLong: 414
            case .headerTooLarge, .tooManyHeaders, .trailerTooLarge: 431
            case .unsupportedMethod, .unsupportedTransferEncoding: 501
            case .unsupportedVersion: 505
            case .expectationFailed: 417
            case .invalidStatusLine, .responseHeaderTooLarge: 502
            default: 400
            }
        }
    }

    /// What is wrong.
    public var code: Code
    /// Byte offset in the parsed input where the problem was detected (0 when not known).
    public var offset: Int

    public init(_ code: Code, offset: Int = 0) {
        self.code = code
        self.offset = offset
    }

    /// The status to answer a client with (400, 414, 417, 431, 501 or 505; 502 for response-side codes).
    ///
    /// When parsing an upstream response fails, the proxy answers 502 whatever the code.
    public var status: Int { code.status }

    public var description: String { "HTTPParseError(\(code.rawValue), status \(status), offset \(offset))" }

    public static func == (lhs: HTTPParseError, rhs: HTTPParseError) -> Bool { lhs.code == rhs.code }
}
