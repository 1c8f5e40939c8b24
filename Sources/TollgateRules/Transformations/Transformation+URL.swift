/// Byte decoders behind `t:urlDecode`, `t:urlDecodeUni`, `t:jsDecode`, `t:htmlEntityDecode`, `t:cssDecode`,
/// `t:escapeSeqDecode` and `t:utf8toUnicode`.
enum Decoders {
    /// `%XX` to a byte and `+` to a space; with `unicode`, also `%uXXXX` (see `unicodeByte`). An invalid or
    /// truncated escape is copied as it is.
    static func urlDecode(_ input: [UInt8], unicode: Bool) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        let count = input.count
        var index = 0
        while index < count {
            let byte = input[index]
            if byte == UInt8(ascii: "+") {
                output.append(0x20)
                index += 1
                continue
            }
            guard byte == UInt8(ascii: "%") else {
                output.append(byte)
                index += 1
                continue
            }
            if unicode, index + 5 < count, input[index + 1] | 0x20 == UInt8(ascii: "u"),
                let decoded = unicodeByte(input, at: index + 2)
            {
                output.append(decoded)
                index += 6
                continue
            }
            if index + 2 < count, let high = ByteSearch.hexValue(input[index + 1]),
                let low = ByteSearch.hexValue(input[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
                continue
            }
            output.append(byte)
            index += 1
        }
        return output
    }

    /// Decodes the four hex digits at `offset` as a UTF-16 code unit mapped to one byte the way ModSecurity
    /// does without a unicode map: full-width ASCII (U+FF01...U+FF5E) becomes its ASCII twin (U+0021...U+007E);
    /// anything else keeps its low byte. Nil when the four bytes are not all hex digits.
    static func unicodeByte(_ input: [UInt8], at offset: Int) -> UInt8? {
        guard offset + 3 < input.count,
            let d0 = ByteSearch.hexValue(input[offset]), let d1 = ByteSearch.hexValue(input[offset + 1]),
            let d2 = ByteSearch.hexValue(input[offset + 2]), let d3 = ByteSearch.hexValue(input[offset + 3])
        else { return nil }
        let highByte = d0 << 4 | d1
        let lowByte = d2 << 4 | d3
        if highByte == 0xFF && lowByte >= 0x01 && lowByte <= 0x5E { return lowByte + 0x20 }
        return lowByte
    }

    /// Rewrites each well-formed multi-byte UTF-8 sequence as `%uXXXX` (lowercase hex, at least four digits);
    /// ASCII and bytes that do not start a well-formed sequence are copied as they are.
    static func utf8ToUnicode(_ input: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        let count = input.count
        var index = 0
        while index < count {
            let lead = input[index]
            var length = 0
            var scalar: UInt32 = 0
            switch lead {
            case 0xC2...0xDF: length = 2; scalar = UInt32(lead & 0x1F)
            case 0xE0...0xEF: length = 3; scalar = UInt32(lead & 0x0F)
            case 0xF0...0xF4: length = 4; scalar = UInt32(lead & 0x07)
            default: length = 0
            }
            if length > 0 && index + length <= count {
                var valid = true
                for k in 1..<length {
                    let next = input[index + k]
                    if next & 0xC0 != 0x80 {
                        valid = false
                        break
                    }
                    scalar = scalar << 6 | UInt32(next & 0x3F)
                }
                let minimum: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
                if valid && scalar >= minimum && scalar <= 0x10FFFF && !(0xD800...0xDFFF).contains(scalar) {
                    output.append(UInt8(ascii: "%"))
                    output.append(UInt8(ascii: "u"))
                    let digits = Hex.lowercaseDigits(of: scalar)
                    if digits.count < 4 { for _ in digits.count..<4 { output.append(UInt8(ascii: "0")) } }
                    output.append(contentsOf: digits)
                    index += length
                    continue
                }
            }
            output.append(lead)
            index += 1
        }
        return output
    }
}
