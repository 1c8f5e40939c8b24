/// Base64 (RFC 4648 §4) for `t:base64Decode`, `t:base64DecodeExt` and `t:base64Encode`.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    /// 0...63 for alphabet bytes (`-` and `_` too, the URL-safe alphabet of RFC 4648 §5, accepted only when forgiving), 0xFF otherwise.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    /// Decodes up to the first byte outside the alphabet (or `=`); with `forgiving`, bytes outside the
    /// alphabet are skipped instead. A final partial group of two or three digits yields its whole bytes.
    static func decode(_ input: [UInt8], forgiving: Bool) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 4 * 3 + 3)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in input {
            let value = values[Int(byte)]
            if value == 0xFF || (!forgiving && (byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_"))) {
                if forgiving { continue }
                break
            }
            accumulator = (accumulator << 6 | UInt32(value)) & 0xFFFFFF
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return output
    }

    /// Encodes with padding.
    static func encode(_ input: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index < input.count {
            let b0 = UInt32(input[index])
            let b1 = index + 1 < input.count ? UInt32(input[index + 1]) : 0
            let b2 = index + 2 < input.count ? UInt32(input[index + 2]) : 0
            let group = b0 << 16 | b1 << 8 | b2
            output.append(alphabet[Int(group >> 18 & 63)])
            output.append(alphabet[Int(group >> 12 & 63)])
            output.append(index + 1 < input.count ? alphabet[Int(group >> 6 & 63)] : UInt8(ascii: "="))
            output.append(index + 2 < input.count ? alphabet[Int(group & 63)] : UInt8(ascii: "="))
            index += 3
        }
        return output
    }
}

/// Hexadecimal for `t:hexEncode`, `t:hexDecode` and `t:sqlHexDecode`.
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Lowercase hex of each byte.
    static func encode(_ input: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 2)
        for byte in input {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 15)])
        }
        return output
    }

    /// Lowercase hex of a number, no leading zeros ("0" for zero).
    static func lowercaseDigits(of value: UInt32) -> [UInt8] {
        if value == 0 { return [UInt8(ascii: "0")] }
        var reversed: [UInt8] = []
        var rest = value
        while rest > 0 {
            reversed.append(digits[Int(rest & 15)])
            rest >>= 4
        }
        return reversed.reversed()
    }

    /// Decodes pairs of hex digits; a byte that does not start a valid pair is copied as it is.
    static func decode(_ input: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 2 + 1)
        var index = 0
        while index < input.count {
            if index + 1 < input.count, let high = ByteSearch.hexValue(input[index]),
                let low = ByteSearch.hexValue(input[index + 1])
            {
                output.append(high << 4 | low)
                index += 2
            } else {
                output.append(input[index])
                index += 1
            }
        }
        return output
    }

    /// Decodes SQL hex literals `0xHHHH...` (at a word start, with at least one pair of digits) to their bytes; a final odd digit and
    /// everything else is copied as it is.
    static func sqlHexDecode(_ input: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let atWordStart =
                index == 0 || !(ByteSearch.isAlpha(input[index - 1]) || ByteSearch.isDigit(input[index - 1]))
            if atWordStart, input[index] == UInt8(ascii: "0"), index + 3 < input.count,
                input[index + 1] | 0x20 == UInt8(ascii: "x"),
                ByteSearch.hexValue(input[index + 2]) != nil, ByteSearch.hexValue(input[index + 3]) != nil
            {
                var cursor = index + 2
                while cursor + 1 < input.count, let high = ByteSearch.hexValue(input[cursor]),
                    let low = ByteSearch.hexValue(input[cursor + 1])
                {
                    output.append(high << 4 | low)
                    cursor += 2
                }
                index = cursor
                continue
            }
            output.append(input[index])
            index += 1
        }
        return output
    }
}
