/// Small byte-slice helpers shared by the string operators.
enum ByteSearch {
    /// Returns the first index at or after `start` where `needle` occurs in `haystack`, or nil.
    /// An empty needle occurs at `start`.
    static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
        let n = needle.count
        let h = haystack.count
        if n == 0 { return start <= h ? start : nil }
        if n > h - start { return nil }
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pin in
                let first = pin[0]
                var index = start
                let last = h - n
                while index <= last {
                    if hay[index] == first {
                        var k = 1
                        while k < n && hay[index + k] == pin[k] { k += 1 }
                        if k == n { return index }
                    }
                    index += 1
                }
                return nil
            }
        }
    }

    /// Whether `haystack`, lowercased (ASCII), contains `needle` (lowercase).
    static func containsLowercased(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        let n = needle.count
        if n == 0 { return true }
        if n > haystack.count { return false }
        return haystack.withUnsafeBufferPointer { h in
            needle.withUnsafeBufferPointer { p in
                let first = p[0]
                var i = 0
                while i <= h.count - n {
                    if lower(h[i]) == first {
                        var j = 1
                        while j < n && lower(h[i + j]) == p[j] { j += 1 }
                        if j == n { return true }
                    }
                    i += 1
                }
                return false
            }
        }
    }

    static func hasPrefix(_ input: [UInt8], _ prefix: [UInt8]) -> Bool {
        guard prefix.count <= input.count else { return false }
        for index in 0..<prefix.count where input[index] != prefix[index] { return false }
        return true
    }

    static func hasSuffix(_ input: [UInt8], _ suffix: [UInt8]) -> Bool {
        guard suffix.count <= input.count else { return false }
        let offset = input.count - suffix.count
        for index in 0..<suffix.count where input[offset + index] != suffix[index] { return false }
        return true
    }

    /// ASCII lowercase of one byte.
    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    /// ASCII lowercase of `input`: `input` itself (no copy) when it has no uppercase letter, else one
    /// allocation filled in place (`map` grew the result byte by byte; keys and header names go through here
    /// several times a request).
    static func lowercased(_ input: [UInt8]) -> [UInt8] {
        input.withUnsafeBufferPointer { source in
            source.contains(where: { $0 &- 0x41 < 26 }) ? lowercasedCopy(source) : input
        }
    }

    /// ASCII lowercase of `source` in a new array (one allocation, filled in place).
    static func lowercasedCopy(_ source: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: source.count) { out, count in
            for i in source.indices { out[i] = lower(source[i]) }
            count = source.count
        }
    }

    /// C `isspace` in the C locale: space, \t, \n, \v, \f, \r.
    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    @inline(__always)
    static func isAlpha(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }

    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    /// Parses a leading integer the way C `atoll` does: optional whitespace, optional sign, digits; anything
    /// else (or nothing numeric) yields 0. Saturates instead of overflowing.
    static func parseInteger(_ bytes: [UInt8]) -> Int64 {
        var index = 0
        while index < bytes.count && isSpace(bytes[index]) { index += 1 }
        var negative = false
        if index < bytes.count && (bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+")) {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var value: Int64 = 0
        while index < bytes.count && isDigit(bytes[index]) {
            let digit = Int64(bytes[index] - 0x30)
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return negative ? Int64.min : Int64.max }
            value = sum
            index += 1
        }
        return negative ? -value : value
    }
}
