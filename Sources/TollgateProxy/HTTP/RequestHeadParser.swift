/// Byte-level field helpers shared by the head adapters and the response parser.
enum RequestHeadParser {
    /// Index of the CR of the CRLF ending the line that starts at `start`; nil for a bare CR or LF or a NUL.
    @inline(__always)
    static func lineEnd(_ bytes: UnsafeRawBufferPointer, from start: Int, end: Int) -> Int? {
        var position = start
        while position < end {
            let byte = bytes[position]
            if byte == 0x0D {
                return position + 1 < end && bytes[position + 1] == 0x0A ? position : nil
            }
            if byte == 0x0A || byte == 0 { return nil }
            position += 1
        }
        return nil
    }

    /// `1*DIGIT`, at most 18 digits (no sign, no hex, no list).
    static func parseLength(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 18 else { return nil }
        var value = 0
        for index in range {
            let byte = bytes[index]
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    static func isValidHost(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        guard !range.isEmpty, range.count <= 255 else { return false }
        for index in range {
            switch bytes[index] {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"),
                UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "~"), UInt8(ascii: "%"):
                continue
            default:
                return false
            }
        }
        return true
    }

    static func containsChunked(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        var found = false
        forEachToken(bytes, range) { token in
            if KnownHeader.matches(bytes, token, "chunked") { found = true }
        }
        return found
    }

    /// Calls `body` with each comma-separated token range, trimmed of whitespace.
    static func forEachToken(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ body: (Range<Int>) -> Void) {
        var start = range.lowerBound
        var position = range.lowerBound
        while position <= range.upperBound {
            if position == range.upperBound || bytes[position] == UInt8(ascii: ",") {
                var lower = start
                var upper = position
                while lower < upper && (bytes[lower] == 0x20 || bytes[lower] == 0x09) { lower += 1 }
                while upper > lower && (bytes[upper - 1] == 0x20 || bytes[upper - 1] == 0x09) { upper -= 1 }
                if lower < upper { body(lower..<upper) }
                start = position + 1
            }
            position += 1
        }
    }
}
