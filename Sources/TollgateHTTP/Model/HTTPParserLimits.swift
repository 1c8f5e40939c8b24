/// Size limits the parser enforces while reading a message head, chunk lines and trailers.
///
/// All limits are in bytes unless stated otherwise and are checked as bytes arrive, so a peer that
/// never finishes a head is refused as soon as it exceeds a limit (not when it finally sends CRLF CRLF).
public struct HTTPParserLimits: Sendable, Equatable {
    /// Longest request line in bytes, excluding its CRLF (default 8192). Longer: `requestLineTooLong` (414).
    public var maxRequestLineBytes: Int
    /// Largest request head in bytes: request line, every field line and all CRLFs up to and including the
    /// final empty line (default 32768). Larger: `headerTooLarge` (431). Leading empty lines are not counted.
    public var maxHeaderBytes: Int
    /// Most header field lines in one request head (default 100). More: `tooManyHeaders` (431).
    public var maxHeaderCount: Int
    /// Longest chunk-size line in bytes, chunk-size plus chunk extensions, excluding CRLF (default 1024).
    /// Longer: `chunkExtensionTooLong` (400).
    public var maxChunkSizeLineBytes: Int
    /// Largest trailer section of a chunked body in bytes, all trailer field lines with their CRLFs
    /// (default 8192). Larger: `trailerTooLarge` (431).
    public var maxTrailerBytes: Int
    /// Most trailer field lines in a chunked body (default 32). More: `trailerTooLarge`.
    public var maxTrailerCount: Int
    /// Largest upstream response head in bytes, status line included (default 65536). Larger:
    /// `responseHeaderTooLarge` (the proxy answers 502).
    public var maxResponseHeaderBytes: Int
    /// Most header field lines in one response head (default 200). More: `responseHeaderTooLarge`.
    public var maxResponseHeaderCount: Int
    /// Empty lines (CRLF) skipped before a request line, RFC 9112 section 2.2 (default 2). More: `invalidRequestLine`.
    public var maxLeadingEmptyLines: Int

    public init(
        maxRequestLineBytes: Int = 8192,
        maxHeaderBytes: Int = 32768,
        maxHeaderCount: Int = 100,
        maxChunkSizeLineBytes: Int = 1024,
        maxTrailerBytes: Int = 8192,
        maxTrailerCount: Int = 32,
        maxResponseHeaderBytes: Int = 65536,
        maxResponseHeaderCount: Int = 200,
        maxLeadingEmptyLines: Int = 2
    ) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxChunkSizeLineBytes = maxChunkSizeLineBytes
        self.maxTrailerBytes = maxTrailerBytes
        self.maxTrailerCount = maxTrailerCount
        self.maxResponseHeaderBytes = maxResponseHeaderBytes
        self.maxResponseHeaderCount = maxResponseHeaderCount
        self.maxLeadingEmptyLines = maxLeadingEmptyLines
    }

    /// The documented defaults.
    public static let `default` = HTTPParserLimits()
}
