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
            let b = buf[i]
            if i > lineStart && buf[i - 1] == .cr && b != .lf {
                return .failure(HTTPParseError(.bareCR, offset: i - 1))
            }
            switch b {
            case .lf:
                if i == lineStart || buf[i - 1] != .cr { return .failure(HTTPParseError(.bareLF, offset: i)) }
                let contentEnd = i - 1
                if contentEnd == lineStart {
                    if startLineEnd < 0 {
                        // RFC 9112 section 2.2: ignore a few empty lines before the request line.
                        emptyLinesSkipped += 1
                        if emptyLinesSkipped > config.maxLeadingEmptyLines {
                            return .failure(HTTPParseError(config.leadingEmptyCode, offset: i))
                        }
                        headStart = i + 1
                        lineStart = i + 1
                        i += 1
                        continue
                    }
                    position = i + 1
                    return .complete(headStart: headStart, startLineEnd: startLineEnd, end: i + 1)
                }
                if startLineEnd < 0 {
                    startLineEnd = contentEnd
                } else {
                    fieldLines += 1
                    if fieldLines > config.maxFieldLines {
                        return .failure(HTTPParseError(config.fieldLinesCode, offset: i))
                    }
                }
                lineStart = i + 1
            case 0:
                return .failure(HTTPParseError(.nulByte, offset: i))
            case .cr:
                break
            default:
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
                    }
                }
            }
            if i - headStart + 1 > config.maxHead {
                return .failure(HTTPParseError(config.headCode, offset: i))
            }
            i += 1
        }
        position = n
        return .needMore
    }
}
