/// Parses upstream response heads from a growing byte buffer; same contract as `HTTPRequestParser`.
///
/// A 1xx interim response is returned as its own head; parse again at `headLength` for the next one.
public struct HTTPResponseParser: Sendable {
    /// The limits enforced (`maxResponseHeaderBytes`, `maxResponseHeaderCount`).
    public var limits: HTTPParserLimits
    var scanner = HeadScanner()

    public init(limits: HTTPParserLimits = HTTPParserLimits()) {
        self.limits = limits
    }

    /// Forgets a partially scanned head.
    public mutating func reset() { scanner = HeadScanner() }

    /// Looks for a complete response head at the start of `buffer` and parses it.
    public mutating func parseHead(_ buffer: UnsafeRawBufferPointer) -> HTTPHeadParseResult<HTTPResponseHead> {
        let config = HeadScanner.Configuration(
            maxStartLine: limits.maxResponseHeaderBytes, startLineCode: .responseHeaderTooLarge,
            maxHead: limits.maxResponseHeaderBytes, headCode: .responseHeaderTooLarge,
            maxFieldLines: limits.maxResponseHeaderCount, fieldLinesCode: .responseHeaderTooLarge,
            maxLeadingEmptyLines: limits.maxLeadingEmptyLines, leadingEmptyCode: .invalidStatusLine,
            checkMethod: false
        )
        return scanner.parse(buffer, config) { (buffer, headStart, startLineEnd, end) throws(HTTPParseError) in
            try ResponseHeadBuilder.build(buffer, headStart: headStart, startLineEnd: startLineEnd, end: end)
        }
    }

    /// Looks for a complete response head at the start of `bytes` and parses it.
    public mutating func parseHead(_ bytes: [UInt8]) -> HTTPHeadParseResult<HTTPResponseHead> {
        bytes.withUnsafeBytes { parseHead($0) }
    }
}

extension HTTPResponseHead {
    /// Parses a response head at the start of `buffer` in one go.
    public static func parse(
        _ buffer: UnsafeRawBufferPointer,
        limits: HTTPParserLimits = HTTPParserLimits()
    ) -> HTTPHeadParseResult<HTTPResponseHead> {
        var parser = HTTPResponseParser(limits: limits)
        return parser.parseHead(buffer)
    }

    /// Parses a response head at the start of `bytes` in one go.
    public static func parse(
        _ bytes: [UInt8],
        limits: HTTPParserLimits = HTTPParserLimits()
    ) -> HTTPHeadParseResult<HTTPResponseHead> {
        bytes.withUnsafeBytes { parse($0, limits: limits) }
    }
}

/// Turns a complete head found by `HeadScanner` into a validated `HTTPResponseHead`.
enum ResponseHeadBuilder {
    static func build(
        _ buf: UnsafeRawBufferPointer,
        headStart: Int,
        startLineEnd: Int,
        end: Int
    ) throws(HTTPParseError) -> HTTPResponseHead {
        // status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 section 4);
        // "HTTP/1.1 200" (12 bytes, no SP before an empty reason) is accepted from upstreams.
        guard startLineEnd - headStart >= 12 else { throw HTTPParseError(.invalidStatusLine, offset: headStart) }
        return try finish(buf, headStart: headStart, startLineEnd: startLineEnd, end: end)
    }

    private static func finish(
        _ buf: UnsafeRawBufferPointer, headStart: Int, startLineEnd: Int, end: Int
    ) throws(HTTPParseError) -> HTTPResponseHead {
        let version: HTTPVersion
        do {
            version = try RequestHeadBuilder.parseVersion(buf, headStart, headStart + 8)
        } catch {
            throw HTTPParseError(.invalidStatusLine, offset: headStart)
        }
        var i = headStart + 8
        guard buf[i] == .sp else { throw HTTPParseError(.invalidStatusLine, offset: i) }
        i += 1
        var status = 0
        for k in 0..<3 {
            let b = buf[i + k]
            guard b >= 0x30 && b <= 0x39 else { throw HTTPParseError(.invalidStatusLine, offset: i + k) }
            status = status * 10 + Int(b - 0x30)
        }
        guard status >= 100 else { throw HTTPParseError(.invalidStatusLine, offset: i) }
        i += 3
        var reasonStart = i
        if i < startLineEnd {
            guard buf[i] == .sp else { throw HTTPParseError(.invalidStatusLine, offset: i) }
            i += 1
            reasonStart = i
            while i < startLineEnd {
                guard ByteClass.isReason(buf[i]) else {
                    throw HTTPParseError(.invalidStatusLine, offset: i)
                }
                i += 1
            }
        }
        let base = headStart
        let raw = Array(UnsafeRawBufferPointer(rebasing: buf[headStart..<end]))
        var fields: [HTTPHeaders.Field] = []
        fields.reserveCapacity(16)
        try FieldLineParser.parse(buf, from: startLineEnd + 2, to: end - 2, base: base, into: &fields)

        var contentLengths: [Range<Int>] = []
        var transferEncodings: [Range<Int>] = []
        var connections: [Range<Int>] = []
        for field in fields {
            switch FieldSemantics.classify(raw, field.name) {
            case .contentLength: contentLengths.append(field.value)
            case .transferEncoding: transferEncodings.append(field.value)
            case .connection: connections.append(field.value)
            default: break
            }
        }
        var contentLength: Int? = nil
        for value in contentLengths {
            let n = try FieldSemantics.contentLength(raw, value)
            if let contentLength, contentLength != n {
                throw HTTPParseError(.duplicateContentLength, offset: value.lowerBound + base)
            }
            contentLength = n
        }
        var isChunked = false
        var nonChunked = false
        if !transferEncodings.isEmpty {
            if version == .http1_0 { throw HTTPParseError(.transferEncodingInHTTP10) }
            if contentLength != nil { throw HTTPParseError(.conflictingContentLengthAndTransferEncoding) }
            do {
                try FieldSemantics.checkTransferEncoding(raw, transferEncodings)
                isChunked = true
            } catch {
                // RFC 9112 section 6.3 rule 4: a response whose final coding is not chunked is read until close;
                // a final chunked after other codings we cannot decode is an error (502).
                if error.code == .unsupportedTransferEncoding { throw error }
                let elements = transferEncodings.flatMap { FieldSemantics.listElements(raw, $0) }
                guard let last = elements.last, !last.isEmpty,
                    !elements.contains(where: { FieldSemantics.equalsLowercase(raw, $0, "chunked") })
                else { throw error }
                nonChunked = true
            }
        }
        let options = FieldSemantics.connectionOptions(raw, connections)
        let keepAlive = version == .http1_1 ? !options.close : (options.keepAlive && !options.close)
        return HTTPResponseHead(
            rawBytes: raw, version: version, status: status, headers: HTTPHeaders(storage: raw, fields: fields),
            contentLength: contentLength, isChunked: isChunked, hasNonChunkedTransferEncoding: nonChunked,
            keepAlive: keepAlive, reasonRange: (reasonStart - base)..<(startLineEnd - base)
        )
    }
}
