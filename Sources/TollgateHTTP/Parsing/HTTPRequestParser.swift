/// Parses request heads from a growing byte buffer (RFC 9112), resumable so that a head arriving a byte
/// at a time is scanned once, not once per read.
///
/// Contract: pass the same buffer start each call (the bytes of the current message from its first byte),
/// grown by newly read bytes. After `.complete` or `.failure` the parser resets itself for the next
/// message; slice the buffer at `headLength` before the next call. Call `reset()` to abandon a message.
public struct HTTPRequestParser: Sendable {
    /// The limits enforced.
    public var limits: HTTPParserLimits
    var scanner = HeadScanner()

    public init(limits: HTTPParserLimits = HTTPParserLimits()) {
        self.limits = limits
    }

    /// Forgets a partially scanned head.
    public mutating func reset() { scanner = HeadScanner() }

    /// Looks for a complete request head at the start of `buffer` and parses it.
    public mutating func parseHead(_ buffer: UnsafeRawBufferPointer) -> HTTPHeadParseResult<HTTPRequestHead> {
        let config = HeadScanner.Configuration(
            maxStartLine: limits.maxRequestLineBytes, startLineCode: .requestLineTooLong,
            maxHead: limits.maxHeaderBytes, headCode: .headerTooLarge,
            maxFieldLines: limits.maxHeaderCount, fieldLinesCode: .tooManyHeaders,
            maxLeadingEmptyLines: limits.maxLeadingEmptyLines, leadingEmptyCode: .invalidRequestLine,
            checkMethod: true
        )
        return scanner.parse(buffer, config) { (buffer, headStart, startLineEnd, end) throws(HTTPParseError) in
            try RequestHeadBuilder.build(buffer, headStart: headStart, startLineEnd: startLineEnd, end: end)
        }
    }

    /// Looks for a complete request head at the start of `bytes` and parses it.
    public mutating func parseHead(_ bytes: [UInt8]) -> HTTPHeadParseResult<HTTPRequestHead> {
        bytes.withUnsafeBytes { parseHead($0) }
    }
}

extension HTTPRequestHead {
    /// Parses a request head at the start of `buffer` in one go (rescans from the start on every call;
    /// use `HTTPRequestParser` when bytes arrive in pieces).
    public static func parse(
        _ buffer: UnsafeRawBufferPointer,
        limits: HTTPParserLimits = HTTPParserLimits()
    ) -> HTTPHeadParseResult<HTTPRequestHead> {
        var parser = HTTPRequestParser(limits: limits)
        return parser.parseHead(buffer)
    }

    /// Parses a request head at the start of `bytes` in one go.
    public static func parse(
        _ bytes: [UInt8],
        limits: HTTPParserLimits = HTTPParserLimits()
    ) -> HTTPHeadParseResult<HTTPRequestHead> {
        bytes.withUnsafeBytes { parse($0, limits: limits) }
    }
}
