/// Finds the end of a message head (the empty line after the field lines), resumable across reads.
///
/// Single pass, no allocation. Rejects as bytes arrive: a bare LF or bare CR (RFC 9112 section 2.2),
/// NUL, a start line or head over its limit, too many field lines and (for requests) a non-token byte
/// in the method. Everything else is checked once the head is complete (`FieldLineParser`).
struct HeadScanner: Sendable {
    struct Configuration: Sendable {
        var maxStartLine: Int
        var startLineCode: HTTPParseError.Code
        var maxHead: Int
        var headCode: HTTPParseError.Code
        var maxFieldLines: Int
        var fieldLinesCode: HTTPParseError.Code
        var maxLeadingEmptyLines: Int
        var leadingEmptyCode: HTTPParseError.Code
        var checkMethod: Bool
    }

    enum Outcome {
        case needMore
        /// The head spans `headStart..<end` (end is just past the final CRLF); the start line ends
        /// (its CR) at `startLineEnd`.
        case complete(headStart: Int, startLineEnd: Int, end: Int)
        case failure(HTTPParseError)
    }

    /// Next byte to examine; the buffer must keep all bytes before it between calls.
    var position = 0
    /// First byte of the start line (after skipped empty lines).
    var headStart = 0
    var lineStart = 0
    /// Index of the CR that ends the start line, or -1 while it is incomplete.
    var startLineEnd = -1
    var fieldLines = 0
    var emptyLinesSkipped = 0
    var sawStartLineSpace = false

    mutating func scan(_ buf: UnsafeRawBufferPointer, _ config: Configuration) -> Outcome {
        let n = buf.count
        var i = position
        while i < n {
            // The head, counted from its first byte, may not exceed maxHead bytes (final CRLF included).
            if i - headStart >= config.maxHead { return .failure(HTTPParseError(config.headCode, offset: i)) }
            let b = buf[i]
            if b == .cr {
                // RFC 9112 section 2.2: CR only as part of CRLF. Wait for the next byte if it is not here yet.
                guard i + 1 < n else { break }
                guard buf[i + 1] == .lf else { return .failure(HTTPParseError(.bareCR, offset: i)) }
                if i + 1 - headStart >= config.maxHead {
                    return .failure(HTTPParseError(config.headCode, offset: i + 1))
                }
                if i == lineStart {
                    if startLineEnd >= 0 {
                        position = i + 2
                        return .complete(headStart: headStart, startLineEnd: startLineEnd, end: i + 2)
                    }
                    // RFC 9112 section 2.2: ignore a few empty lines before the request line.
                    emptyLinesSkipped += 1
                    if emptyLinesSkipped > config.maxLeadingEmptyLines {
                        return .failure(HTTPParseError(config.leadingEmptyCode, offset: i))
                    }
                    headStart = i + 2
                } else if startLineEnd < 0 {
                    startLineEnd = i
                } else {
                    fieldLines += 1
                    if fieldLines > config.maxFieldLines {
                        return .failure(HTTPParseError(config.fieldLinesCode, offset: i))
                    }
                }
                lineStart = i + 2
                i += 2
                continue
            }
            if b == .lf { return .failure(HTTPParseError(.bareLF, offset: i)) }
            if b == 0 { return .failure(HTTPParseError(.nulByte, offset: i)) }
            if startLineEnd < 0 {
                if i - lineStart + 1 > config.maxStartLine {
                    return .failure(HTTPParseError(config.startLineCode, offset: i))
                }
                if config.checkMethod && !sawStartLineSpace {
                    if b == .sp {
                        sawStartLineSpace = true
                    } else if !ByteClass.isToken(b) {
                        return .failure(HTTPParseError(.invalidMethod, offset: i))
                    }
                    i += 1
                } else {
                    // Past the method: skip ordinary bytes eight at a time while both limits still hold; the
                    // byte-by-byte checks above resume at the first CR, LF, NUL or limit.
                    let stop = min(n, headStart + config.maxHead, lineStart + config.maxStartLine)
                    i = WordScan.firstLineBreakOrNul(buf, from: i + 1, to: stop)
                }
            } else {
                // Inside a field line: skip ordinary bytes eight at a time (checked in `FieldLineParser`).
                let stop = min(n, headStart + config.maxHead)
                i = WordScan.firstLineBreakOrNul(buf, from: i + 1, to: stop)
            }
        }
        position = i
        return .needMore
    }
}

extension HeadScanner {
    /// Scans `buffer` (resuming where the last call stopped) and, once a head is complete, validates it
    /// with `build`. Starts over after any result, and when the caller passes fewer bytes than were
    /// already scanned (a broken contract: rescan rather than read past the end).
    mutating func parse<Head>(
        _ buffer: UnsafeRawBufferPointer,
        _ config: Configuration,
        build: (UnsafeRawBufferPointer, Int, Int, Int) throws(HTTPParseError) -> Head
    ) -> HTTPHeadParseResult<Head> {
        if buffer.count < position { self = HeadScanner() }
        switch scan(buffer, config) {
        case .needMore:
            return .needMore
        case .failure(let error):
            self = HeadScanner()
            return .failure(error)
        case .complete(let headStart, let startLineEnd, let end):
            self = HeadScanner()
            do throws(HTTPParseError) {
                return .complete(try build(buffer, headStart, startLineEnd, end), headLength: end)
            } catch {
                return .failure(error)
            }
        }
    }
}
