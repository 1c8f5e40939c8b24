/// Parses field lines (RFC 9112 section 5, RFC 9110 section 5.5) of a head already split by `HeadScanner`
/// (so every CR is followed by LF and there is no NUL).
enum FieldLineParser {
    /// Parses the lines in `start..<end` (each ending in CRLF) into fields whose ranges are relative to `base`.
    static func parse(
        _ buf: UnsafeRawBufferPointer,
        from start: Int,
        to end: Int,
        base: Int,
        into fields: inout [HTTPHeaders.Field]
    ) throws(HTTPParseError) {
        var i = start
        while i < end {
            let lineStart = i
            let first = buf[i]
            // RFC 9112 section 5.2: obs-fold is rejected; section 2.2: so is whitespace before the first field.
            if first == .sp || first == .htab { throw HTTPParseError(.obsFold, offset: i) }
            while ByteClass.isToken(buf[i]) { i += 1 }
            let nameEnd = i
            switch buf[i] {
            case .colon:
                if nameEnd == lineStart { throw HTTPParseError(.invalidHeaderName, offset: i) }
            case .sp, .htab:
                // RFC 9112 section 5.1: no whitespace between field name and colon; reject with 400.
                var j = i
                while buf[j] == .sp || buf[j] == .htab { j += 1 }
                if buf[j] == .colon && nameEnd > lineStart {
                    throw HTTPParseError(.whitespaceBeforeColon, offset: i)
                }
                throw HTTPParseError(.invalidHeaderName, offset: i)
            case .cr:
                throw HTTPParseError(.missingColon, offset: i)
            default:
                throw HTTPParseError(.invalidHeaderName, offset: i)
            }
            i += 1
            // OWS field-value OWS (RFC 9112 section 5.1); field-value bytes per RFC 9110 section 5.5.
            while buf[i] == .sp || buf[i] == .htab { i += 1 }
            let valueStart = i
            // Field-value bytes are skipped eight at a time; a control byte or DEL stops the skip: CR ends the
            // value, HTAB is allowed, anything else is refused at its own offset.
            while true {
                i = WordScan.firstControlOrDelete(buf, from: i, to: end)
                guard i < end else { throw HTTPParseError(.invalidHeaderValue, offset: i) }  // no CR: not a head
                let b = buf[i]
                if b == .cr { break }
                if b != .htab { throw HTTPParseError(.invalidHeaderValue, offset: i) }
                i += 1
            }
            // Trailing OWS is not part of the value.
            var valueEnd = i
            while valueEnd > valueStart && (buf[valueEnd - 1] == .sp || buf[valueEnd - 1] == .htab) { valueEnd -= 1 }
            fields.append(
                HTTPHeaders.Field(
                    name: (lineStart - base)..<(nameEnd - base),
                    value: (valueStart - base)..<(valueEnd - base)
                )
            )
            i += 2  // CRLF
        }
    }
}
