/// An IPv4 or IPv6 address as 128 bits; IPv4 is stored IPv4-mapped (`::ffff:a.b.c.d`), so an IPv4 peer
/// and the same address written IPv4-mapped are one client.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public init(v4 value: UInt32) {
        self.init(high: 0, low: 0xFFFF_0000_0000 | UInt64(value))
    }

    public var isV4: Bool { high == 0 && (low >> 32) == 0xFFFF }

    /// Parses dotted IPv4 (no leading zeros) or IPv6 text (RFC 4291 section 2.2; no zone index).
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        if let v4 = IPAddress.parseV4(bytes[...]) {
            self.init(v4: v4)
        } else if let v6 = IPAddress.parseV6(bytes[...]) {
            self = v6
        } else {
            return nil
        }
    }

    /// Keeps the first `bits` bits (of the 128-bit form) and zeroes the rest.
    public func masked(to bits: Int) -> IPAddress {
        let b = max(0, min(128, bits))
        if b >= 128 { return self }
        if b >= 64 {
            let keep = b - 64
            let mask: UInt64 = keep == 0 ? 0 : ~UInt64(0) << UInt64(64 - keep)
            return IPAddress(high: high, low: low & mask)
        }
        let mask: UInt64 = b == 0 ? 0 : ~UInt64(0) << UInt64(64 - b)
        return IPAddress(high: high & mask, low: 0)
    }

    /// Dotted quad for IPv4; RFC 5952 text (lowercase, longest zero run compressed) for IPv6.
    public var description: String {
        if isV4 {
            let v = UInt32(truncatingIfNeeded: low)
            return "\(v >> 24).\((v >> 16) & 0xFF).\((v >> 8) & 0xFF).\(v & 0xFF)"
        }
        var groups: [UInt16] = []
        for i in 0..<4 { groups.append(UInt16(truncatingIfNeeded: high >> UInt64(48 - 16 * i))) }
        for i in 0..<4 { groups.append(UInt16(truncatingIfNeeded: low >> UInt64(48 - 16 * i))) }
        var bestStart = -1
        var bestLength = 0
        var i = 0
        while i < 8 {
            if groups[i] == 0 {
                var j = i
                while j < 8 && groups[j] == 0 { j += 1 }
                if j - i > bestLength && j - i >= 2 {
                    bestStart = i
                    bestLength = j - i
                }
                i = j
            } else {
                i += 1
            }
        }
        func hex(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }

    // MARK: Parsing

    static func parseV4(_ s: ArraySlice<UInt8>) -> UInt32? {
        let parts = s.split(separator: UInt8(ascii: "."), maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for p in parts {
            guard (1...3).contains(p.count), p.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
            else { return nil }
            if p.count > 1 && p.first == UInt8(ascii: "0") { return nil }  // "010" is ambiguous (octal)
            let octet = p.reduce(UInt32(0)) { $0 * 10 + UInt32($1 - UInt8(ascii: "0")) }
            guard octet <= 255 else { return nil }
            value = value << 8 | octet
        }
        return value
    }

    static func parseV6(_ s: ArraySlice<UInt8>) -> IPAddress? {
        guard s.count >= 2, s.count <= 45 else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawDoubleColon = false
        var i = s.startIndex
        if s[i] == UInt8(ascii: ":") {
            guard s[i + 1] == UInt8(ascii: ":") else { return nil }
            sawDoubleColon = true
            i += 2
        }
        while i < s.endIndex {
            // An embedded IPv4 tail (e.g. ::ffff:192.0.2.1) ends the address.
            if let dot = s[i...].firstIndex(of: UInt8(ascii: ".")),
                !s[i..<dot].contains(UInt8(ascii: ":"))
            {
                _ = dot
                guard let v4 = parseV4(s[i...]) else { return nil }
                let groups = [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
                if sawDoubleColon { tail += groups } else { head += groups }
                i = s.endIndex
                break
            }
            var group: UInt32 = 0
            var digits = 0
            while i < s.endIndex, let h = hexValue(s[i]) {
                group = group << 4 | UInt32(h)
                digits += 1
                i += 1
                if digits > 4 { return nil }
            }
            guard digits > 0 else { return nil }
            if sawDoubleColon { tail.append(UInt16(group)) } else { head.append(UInt16(group)) }
            if i == s.endIndex { break }
            guard s[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            if i < s.endIndex, s[i] == UInt8(ascii: ":") {
                guard !sawDoubleColon else { return nil }
                sawDoubleColon = true
                i += 1
                if i == s.endIndex { break }
            } else if i == s.endIndex {
                return nil  // trailing single colon
            }
        }
        let total = head.count + tail.count
        if sawDoubleColon {
            guard total <= 7 else { return nil }
        } else {
            guard total == 8 else { return nil }
        }
        let groups = head + [UInt16](repeating: 0, count: 8 - total) + tail
        var hi: UInt64 = 0
        var lo: UInt64 = 0
        for k in 0..<4 { hi = hi << 16 | UInt64(groups[k]) }
        for k in 4..<8 { lo = lo << 16 | UInt64(groups[k]) }
        return IPAddress(high: hi, low: lo)
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Parses one proxy hop as found in `X-Forwarded-For` or a `Forwarded` `for=` value: an address,
    /// optionally quoted, bracketed (`[v6]`) and followed by a port. `unknown` and obfuscated
    /// identifiers (`_hidden`, RFC 7239 section 6.3) are not addresses: nil.
    public static func parseHop(_ text: Substring) -> IPAddress? {
        var t = text.trimmingWhitespace()
        if t.count >= 2, t.first == "\"", t.last == "\"" { t = t.dropFirst().dropLast() }
        if t.first == "[" {
            guard let close = t.firstIndex(of: "]") else { return nil }
            let rest = t[t.index(after: close)...]
            guard rest.isEmpty || (rest.first == ":" && rest.dropFirst().allSatisfy(\.isASCIIDigit)) else { return nil }
            return IPAddress(t[t.index(after: t.startIndex)..<close])
        }
        if let a = IPAddress(t) { return a }
        // IPv4 with a port: exactly one colon.
        if let colon = t.firstIndex(of: ":"), t[t.index(after: colon)...].allSatisfy(\.isASCIIDigit),
            !t[t.index(after: colon)...].isEmpty, let a = IPAddress(t[..<colon]), a.isV4
        {
            return a
        }
        return nil
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
