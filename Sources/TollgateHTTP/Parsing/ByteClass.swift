/// Byte classification tables built once; the hot loops index them instead of branching on ranges.
enum ByteClass {
    static let token: UInt8 = 1 << 0  // tchar, RFC 9110 section 5.6.2
    static let fieldValue: UInt8 = 1 << 1  // field-vchar, SP, HTAB (RFC 9110 section 5.5)
    static let target: UInt8 = 1 << 2  // bytes accepted in a request-target (see `HTTPRequestHead`)
    static let hex: UInt8 = 1 << 3  // HEXDIG
    static let regName: UInt8 = 1 << 4  // unreserved / sub-delims / "%" (RFC 3986 section 3.2.2)
    static let reason: UInt8 = 1 << 5  // reason-phrase: HTAB / SP / VCHAR / obs-text (RFC 9112 section 4)

    /// One flag byte per octet value.
    static let table: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 256)
        let tcharSymbols = Array("!#$%&'*+-.^_`|~".utf8)
        for b in 0..<256 {
            let c = UInt8(b)
            var f: UInt8 = 0
            let isDigit = c >= 0x30 && c <= 0x39
            let isAlpha = (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
            if isDigit || isAlpha || tcharSymbols.contains(c) { f |= token }
            let vchar = c >= 0x21 && c <= 0x7E
            let obsText = c >= 0x80
            if vchar || obsText || c == 0x20 || c == 0x09 {
                f |= fieldValue
                f |= reason
            }
            // Request-target: visible ASCII except "#" (no fragment in a request, RFC 9112 section 3.2),
            // plus obs-text, which RFC 3986 forbids but clients send raw; the rule engine inspects it.
            if (vchar && c != UInt8(ascii: "#")) || obsText { f |= target }
            if isDigit || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66) { f |= hex }
            if isDigit || isAlpha || Array("-._~!$&'()*+,;=%".utf8).contains(c) { f |= regName }
            t[b] = f
        }
        return t
    }()

    @inline(__always) static func isToken(_ b: UInt8) -> Bool { table[Int(b)] & token != 0 }
    @inline(__always) static func isFieldValue(_ b: UInt8) -> Bool { table[Int(b)] & fieldValue != 0 }
    @inline(__always) static func isTarget(_ b: UInt8) -> Bool { table[Int(b)] & target != 0 }
    @inline(__always) static func isHex(_ b: UInt8) -> Bool { table[Int(b)] & hex != 0 }
    @inline(__always) static func isRegName(_ b: UInt8) -> Bool { table[Int(b)] & regName != 0 }

    /// ASCII lowercase of one byte.
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }

    /// Value of a hex digit, or nil.
    @inline(__always) static func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case 0x30...0x39: Int(b - 0x30)
        case 0x41...0x46: Int(b - 0x41 + 10)
        case 0x61...0x66: Int(b - 0x61 + 10)
        default: nil
        }
    }
}

extension UInt8 {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let sp: UInt8 = 0x20
    static let htab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let comma: UInt8 = 0x2C
    static let semicolon: UInt8 = 0x3B
}
