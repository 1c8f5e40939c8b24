/// `@validateUtf8Encoding`: matches when the value is not well-formed UTF-8 (RFC 3629): a truncated sequence,
/// an invalid lead or continuation byte, an overlong form, a surrogate (U+D800...U+DFFF) or a code point
/// above U+10FFFF.
struct ValidateUtf8EncodingOperator: RuleOperator {
    func evaluate(_ input: [UInt8], context: inout OperatorContext) -> OperatorResult {
        Self.isValid(input) ? .noMatch : .match
    }

    static func isValid(_ bytes: [UInt8]) -> Bool {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0  // no overlong 3-byte forms
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F  // no surrogates
            case 0xF0: length = 4; low = 0x90  // no overlong 4-byte forms
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F  // nothing above U+10FFFF
            default: return false  // continuation byte as lead, C0/C1 overlong leads, F5...FF
            }
            guard index + length <= count else { return false }
            let second = bytes[index + 1]
            guard second >= low && second <= high else { return false }
            var k = 2
            while k < length {
                guard bytes[index + k] & 0xC0 == 0x80 else { return false }
                k += 1
            }
            index += length
        }
        return true
    }
}
