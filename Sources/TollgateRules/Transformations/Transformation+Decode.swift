extension Decoders {
    /// `t:jsDecode`: JavaScript escapes. `\uHHHH` becomes one byte (as `unicodeByte`), `\xHH` a byte, `\OOO`
    /// up to three octal digits (at most 0o377), `\b \f \n \r \t \v` their control bytes, and `\` before any
    /// other byte that byte. Incomplete escapes are copied as they are.
    static func jsDecode(_ input: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        let count = input.count
        var index = 0
        while index < count {
            let byte = input[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < count else {
                output.append(byte)
                index += 1
                continue
            }
            let next = input[index + 1]
            if next | 0x20 == UInt8(ascii: "u"), let decoded = unicodeByte(input, at: index + 2) {
                output.append(decoded)
                index += 6
            } else if next | 0x20 == UInt8(ascii: "x"), index + 3 < count,
                let high = ByteSearch.hexValue(input[index + 2]), let low = ByteSearch.hexValue(input[index + 3])
            {
                output.append(high << 4 | low)
                index += 4
            } else if let (value, used) = octal(input, at: index + 1) {
                output.append(value)
                index += 1 + used
            } else {
                switch next {
                case UInt8(ascii: "a"): output.append(0x07)
                case UInt8(ascii: "b"): output.append(0x08)
                case UInt8(ascii: "f"): output.append(0x0C)
                case UInt8(ascii: "n"): output.append(0x0A)
                case UInt8(ascii: "r"): output.append(0x0D)
                case UInt8(ascii: "t"): output.append(0x09)
                case UInt8(ascii: "v"): output.append(0x0B)
                default: output.append(next)
                }
                index += 2
            }
        }
        return output
    }

    /// Up to three octal digits at `offset` whose value fits a byte; returns the value and digits used.
    static func octal(_ input: [UInt8], at offset: Int) -> (UInt8, Int)? {
        var value = 0
        var used = 0
        while used < 3 && offset + used < input.count {
            let byte = input[offset + used]
            guard byte >= 0x30 && byte <= 0x37 else { break }
            let candidate = value * 8 + Int(byte - 0x30)
            if candidate > 0xFF { break }
            value = candidate
            used += 1
        }
        return used == 0 ? nil : (UInt8(value), used)
    }

    /// `t:escapeSeqDecode`: ANSI C escapes `\a \b \f \n \r \t \v \\ \? \' \"`, `\xHH` and octal `\OOO`.
    /// Any other backslash sequence (and a trailing backslash) is copied as it is.
    static func escapeSequenceDecode(_ input: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        let count = input.count
        var index = 0
        while index < count {
            let byte = input[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < count else {
                output.append(byte)
                index += 1
                continue
            }
            let next = input[index + 1]
            var decoded: UInt8?
            switch next {
            case UInt8(ascii: "a"): decoded = 0x07
            case UInt8(ascii: "b"): decoded = 0x08
            case UInt8(ascii: "f"): decoded = 0x0C
            case UInt8(ascii: "n"): decoded = 0x0A
            case UInt8(ascii: "r"): decoded = 0x0D
            case UInt8(ascii: "t"): decoded = 0x09
            case UInt8(ascii: "v"): decoded = 0x0B
            case UInt8(ascii: "\\"), UInt8(ascii: "?"), UInt8(ascii: "'"), UInt8(ascii: "\""): decoded = next
            default: decoded = nil
            }
            if let decoded {
                output.append(decoded)
                index += 2
            } else if next | 0x20 == UInt8(ascii: "x"), index + 3 < count,
                let high = ByteSearch.hexValue(input[index + 2]), let low = ByteSearch.hexValue(input[index + 3])
            {
                output.append(high << 4 | low)
                index += 4
            } else if let (value, used) = octal(input, at: index + 1) {
                output.append(value)
                index += 1 + used
            } else {
                output.append(byte)
                output.append(next)
                index += 2
            }
        }
        return output
    }

    /// `t:htmlEntityDecode`: `&#DDD;`, `&#xHH;` (the value's low byte) and the named entities `&quot; &amp;
    /// &lt; &gt; &nbsp;` (names case-insensitive, whole alphanumeric name required). The `;` is optional.
    /// Anything else, including `&#;` without digits, is copied as it is.
    static func htmlEntityDecode(_ input: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        let count = input.count
        var index = 0
        while index < count {
            let byte = input[index]
            guard byte == UInt8(ascii: "&"), index + 1 < count else {
                output.append(byte)
                index += 1
                continue
            }
            var cursor = index + 1
            if input[cursor] == UInt8(ascii: "#") {
                cursor += 1
                let hex = cursor < count && input[cursor] | 0x20 == UInt8(ascii: "x")
                if hex { cursor += 1 }
                var value = 0
                let digitsStart = cursor
                while cursor < count {
                    let digit: UInt8?
                    if hex {
                        digit = ByteSearch.hexValue(input[cursor])
                    } else {
                        digit = ByteSearch.isDigit(input[cursor]) ? input[cursor] - 0x30 : nil
                    }
                    guard let digit else { break }
                    value = min((value * (hex ? 16 : 10)) + Int(digit), 0x10FFFF + 1)
                    cursor += 1
                }
                if cursor > digitsStart {
                    output.append(UInt8(truncatingIfNeeded: value))
                    if cursor < count && input[cursor] == UInt8(ascii: ";") { cursor += 1 }
                    index = cursor
                    continue
                }
            } else {
                while cursor < count && (ByteSearch.isAlpha(input[cursor]) || ByteSearch.isDigit(input[cursor])) {
                    cursor += 1
                }
                if let decoded = namedEntity(input[(index + 1)..<cursor]) {
                    output.append(decoded)
                    if cursor < count && input[cursor] == UInt8(ascii: ";") { cursor += 1 }
                    index = cursor
                    continue
                }
            }
            output.append(byte)
            index += 1
        }
        return output
    }

    private static func namedEntity(_ name: ArraySlice<UInt8>) -> UInt8? {
        guard name.count >= 2 && name.count <= 4 else { return nil }
        let lowered = name.map(ByteSearch.lower)
        switch lowered {
        case Array("quot".utf8): return UInt8(ascii: "\"")
        case Array("amp".utf8): return UInt8(ascii: "&")
        case Array("lt".utf8): return UInt8(ascii: "<")
        case Array("gt".utf8): return UInt8(ascii: ">")
        case Array("nbsp".utf8): return 0xA0
        default: return nil
        }
    }

    /// `t:cssDecode`: CSS 2 escapes. `\` with one to six hex digits becomes one byte (the last two digits;
    /// full-width ASCII U+FF01...U+FF5E becomes ASCII), and one following whitespace is consumed; `\` and a
    /// newline are removed; `\` before any other byte yields that byte; a trailing `\` is removed.
    static func cssDecode(_ input: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        let count = input.count
        var index = 0
        while index < count {
            let byte = input[index]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            guard index + 1 < count else {
                index += 1  // trailing backslash: dropped
                continue
            }
            var digits = 0
            while digits < 6 && index + 1 + digits < count && ByteSearch.hexValue(input[index + 1 + digits]) != nil {
                digits += 1
            }
            if digits == 0 {
                let next = input[index + 1]
                if next != 0x0A { output.append(next) }
                index += 2
                continue
            }
            let start = index + 1
            var value: UInt8
            if digits == 1 {
                value = ByteSearch.hexValue(input[start]) ?? 0
            } else {
                let high = ByteSearch.hexValue(input[start + digits - 2]) ?? 0
                let low = ByteSearch.hexValue(input[start + digits - 1]) ?? 0
                value = high << 4 | low
                if digits >= 4, value > 0x00, value < 0x5F,
                    input[start + digits - 3] | 0x20 == UInt8(ascii: "f"),
                    input[start + digits - 4] | 0x20 == UInt8(ascii: "f")
                {
                    value += 0x20
                }
            }
            output.append(value)
            index = start + digits
            if index < count && ByteSearch.isSpace(input[index]) { index += 1 }
        }
        return output
    }
}
