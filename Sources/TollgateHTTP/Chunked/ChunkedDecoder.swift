/// Incremental decoder for the chunked transfer coding (RFC 9112 section 7.1).
///
/// Feed it slices split anywhere (even one byte at a time); it hands out the chunk data as ranges of
/// the input (no copy) or appends them to a buffer, and stops at the end of the chunked body, leaving
/// any following bytes (the next pipelined message) unconsumed.
///
/// Strict: chunk-size is 1*HEXDIG (no sign, no `0x`, no whitespace; BWS around `;` is refused), at most
/// 2^53; extensions must be `;name[=token|quoted-string]` and the whole size line is bounded by
/// `maxChunkSizeLineBytes`; every chunk's data must be followed by CRLF; trailer fields follow the header
/// field rules and are bounded by `maxTrailerBytes` and `maxTrailerCount`. After an error every call
/// throws the same error.
public struct ChunkedDecoder: Sendable {
    /// Progress after one `decode` call.
    public struct Progress: Sendable, Equatable {
        /// Input bytes consumed. Less than the input only when `isDone` (the rest is the next message).
        public var consumed: Int
        /// The last chunk and the trailer section have been read.
        public var isDone: Bool

        public init(consumed: Int, isDone: Bool) {
            self.consumed = consumed
            self.isDone = isDone
        }
    }

    enum State: Sendable, Equatable {
        case sizeFirst, size, extSemicolonOrEnd, extNameFirst, extName, extValueFirst, extValueToken
        case extQuoted, extQuotedEscape, sizeLF
        case data, dataCR, dataLF
        case trailerLineStart, trailerLine, trailerLF, finalLF
        case done
    }

    /// The limits enforced (chunk-size line, trailers).
    public let limits: HTTPParserLimits
    var state = State.sizeFirst
    var chunkSize = 0
    var remaining = 0
    var lineBytes = 0
    var trailerBytes: [UInt8] = []
    var trailerCount = 0
    var failure: HTTPParseError? = nil
    var consumedTotal = 0

    /// Data bytes produced so far (the decoded body length).
    public private(set) var decodedByteCount = 0
    /// Trailer fields, available once `isDone`.
    public private(set) var trailers = HTTPHeaders()

    public init(limits: HTTPParserLimits = HTTPParserLimits()) {
        self.limits = limits
    }

    /// Whether the whole chunked body (last chunk and trailers) has been read.
    public var isDone: Bool { state == .done }

    /// Decodes `input`, appending chunk data to `output`.
    public mutating func decode(
        _ input: UnsafeRawBufferPointer,
        into output: inout [UInt8]
    ) throws(HTTPParseError) -> Progress {
        try decode(input) { output.append(contentsOf: $0) }
    }

    /// Decodes `input`, appending chunk data to `output`.
    public mutating func decode(_ input: [UInt8], into output: inout [UInt8]) throws(HTTPParseError) -> Progress {
        var result = Progress(consumed: 0, isDone: false)
        var thrown: HTTPParseError? = nil
        input.withUnsafeBytes { buf in
            do throws(HTTPParseError) {
                result = try decode(buf) { output.append(contentsOf: $0) }
            } catch {
                thrown = error
            }
        }
        if let thrown { throw thrown }
        return result
    }

    /// Decodes `input`, calling `onData` with each run of chunk data (a slice of `input`, valid only during the call).
    public mutating func decode(
        _ input: UnsafeRawBufferPointer,
        onData: (UnsafeRawBufferPointer) -> Void
    ) throws(HTTPParseError) -> Progress {
        if let failure { throw failure }
        do {
            return try run(input, onData)
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func fail(_ code: HTTPParseError.Code, _ i: Int) -> HTTPParseError {
        HTTPParseError(code, offset: consumedTotal + i)
    }

    private mutating func run(
        _ input: UnsafeRawBufferPointer,
        _ onData: (UnsafeRawBufferPointer) -> Void
    ) throws(HTTPParseError) -> Progress {
        let n = input.count
        var i = 0
        defer { consumedTotal += i }
        while i < n {
            if state == .data {
                let take = min(remaining, n - i)
                onData(UnsafeRawBufferPointer(rebasing: input[i..<(i + take)]))
                decodedByteCount += take
                remaining -= take
                i += take
                if remaining == 0 { state = .dataCR }
                continue
            }
            if state == .done { break }
            let b = input[i]
            switch state {
            case .sizeFirst, .size:
                if let v = ByteClass.hexValue(b) {
                    guard chunkSize <= (FieldSemantics.maxContentLength - v) / 16 else {
                        throw fail(.chunkSizeOverflow, i)
                    }
                    chunkSize = chunkSize * 16 + v
                    state = .size
                    try countLineByte(i, inExtension: false)
                } else if state == .size {
                    try sizeLineDelimiter(b, i, invalid: .invalidChunkSize)
                } else {
                    throw fail(b == .lf ? .bareLF : .invalidChunkSize, i)
                }
            case .extSemicolonOrEnd:
                try sizeLineDelimiter(b, i, invalid: .invalidChunkExtension)
            case .extNameFirst:
                guard ByteClass.isToken(b) else { throw fail(.invalidChunkExtension, i) }
                state = .extName
                try countLineByte(i, inExtension: true)
            case .extName:
                if ByteClass.isToken(b) {
                    try countLineByte(i, inExtension: true)
                } else if b == UInt8(ascii: "=") {
                    state = .extValueFirst
                    try countLineByte(i, inExtension: true)
                } else {
                    try sizeLineDelimiter(b, i, invalid: .invalidChunkExtension)
                }
            case .extValueFirst:
                if b == UInt8(ascii: "\"") {
                    state = .extQuoted
                } else if ByteClass.isToken(b) {
                    state = .extValueToken
                } else {
                    throw fail(.invalidChunkExtension, i)
                }
                try countLineByte(i, inExtension: true)
            case .extValueToken:
                if ByteClass.isToken(b) {
                    try countLineByte(i, inExtension: true)
                } else {
                    try sizeLineDelimiter(b, i, invalid: .invalidChunkExtension)
                }
            case .extQuoted:
                // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text (RFC 9110 section 5.6.4)
                if b == UInt8(ascii: "\"") {
                    state = .extSemicolonOrEnd
                } else if b == UInt8(ascii: "\\") {
                    state = .extQuotedEscape
                } else if !ByteClass.isFieldValue(b) {
                    throw fail(b == .lf ? .bareLF : .invalidChunkExtension, i)
                }
                try countLineByte(i, inExtension: true)
            case .extQuotedEscape:
                guard ByteClass.isFieldValue(b) else { throw fail(.invalidChunkExtension, i) }
                state = .extQuoted
                try countLineByte(i, inExtension: true)
            case .sizeLF:
                guard b == .lf else { throw fail(.bareCR, i) }
                lineBytes = 0
                if chunkSize == 0 {
                    state = .trailerLineStart
                } else {
                    remaining = chunkSize
                    chunkSize = 0
                    state = .data
                }
            case .dataCR:
                guard b == .cr else { throw fail(.invalidChunkDelimiter, i) }
                state = .dataLF
            case .dataLF:
                guard b == .lf else { throw fail(.invalidChunkDelimiter, i) }
                state = .sizeFirst
            case .trailerLineStart:
                if b == .cr {
                    state = .finalLF
                } else {
                    try trailerByte(b, i)
                    state = .trailerLine
                }
            case .trailerLine:
                if b == .cr {
                    state = .trailerLF
                } else {
                    try trailerByte(b, i)
                }
            case .trailerLF:
                guard b == .lf else { throw fail(.bareCR, i) }
                trailerCount += 1
                if trailerCount > limits.maxTrailerCount { throw fail(.trailerTooLarge, i) }
                try appendTrailer(.cr, i)
                try appendTrailer(.lf, i)
                state = .trailerLineStart
            case .finalLF:
                guard b == .lf else { throw fail(.bareCR, i) }
                try finishTrailers()
                state = .done
                i += 1
                return Progress(consumed: i, isDone: true)
            case .data, .done:
                break
            }
            i += 1
        }
        return Progress(consumed: i, isDone: state == .done)
    }

    /// A byte ending a size or extension element: `;` starts an extension, CR ends the line.
    private mutating func sizeLineDelimiter(_ b: UInt8, _ i: Int, invalid: HTTPParseError.Code) throws(HTTPParseError) {
        switch b {
        case .semicolon:
            state = .extNameFirst
            try countLineByte(i, inExtension: true)
        case .cr:
            state = .sizeLF
        case .lf:
            throw fail(.bareLF, i)
        default:
            throw fail(invalid, i)
        }
    }

    private mutating func countLineByte(_ i: Int, inExtension: Bool) throws(HTTPParseError) {
        lineBytes += 1
        if lineBytes > limits.maxChunkSizeLineBytes {
            throw fail(inExtension ? .chunkExtensionTooLong : .invalidChunkSize, i)
        }
    }

    private mutating func trailerByte(_ b: UInt8, _ i: Int) throws(HTTPParseError) {
        if b == .lf { throw fail(.bareLF, i) }
        if b == 0 { throw fail(.nulByte, i) }
        try appendTrailer(b, i)
    }

    private mutating func appendTrailer(_ b: UInt8, _ i: Int) throws(HTTPParseError) {
        if trailerBytes.count >= limits.maxTrailerBytes { throw fail(.trailerTooLarge, i) }
        trailerBytes.append(b)
    }

    /// Parses the collected trailer lines with the header field rules (RFC 9112 section 7.1.2).
    private mutating func finishTrailers() throws(HTTPParseError) {
        guard !trailerBytes.isEmpty else { return }
        var block = trailerBytes
        block.append(.cr)
        block.append(.lf)
        var fields: [HTTPHeaders.Field] = []
        var thrown: HTTPParseError? = nil
        block.withUnsafeBytes { buf in
            do throws(HTTPParseError) {
                try FieldLineParser.parse(buf, from: 0, to: buf.count - 2, base: 0, into: &fields)
            } catch {
                thrown = error
            }
        }
        if let thrown { throw HTTPParseError(thrown.code, offset: consumedTotal) }
        trailers = HTTPHeaders(storage: block, fields: fields)
        trailerBytes = []
    }
}
