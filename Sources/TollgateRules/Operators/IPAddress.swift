/// An IPv4 or IPv6 address parsed from bytes, as a 128-bit value (IPv4 in the low 32 bits).
struct IPAddress: Sendable, Hashable {
    var high: UInt64
    var low: UInt64
    var isIPv6: Bool

    /// Parses a dotted-quad IPv4 address or an RFC 4291 §2.2 IPv6 text address (with `::` and an optional
    /// dotted-quad tail; a `%zone` suffix is ignored). Returns nil for anything else.
    init?(_ bytes: ArraySlice<UInt8>) {
        if let v4 = IPAddress.parseIPv4(bytes) {
            high = 0
            low = UInt64(v4)
            isIPv6 = false
            return
        }
        var text = bytes
        if let zone = text.firstIndex(of: UInt8(ascii: "%")) { text = text[text.startIndex..<zone] }
        guard let words = IPAddress.parseIPv6(text) else { return nil }
        var h: UInt64 = 0
        var l: UInt64 = 0
        for index in 0..<4 { h = h << 16 | UInt64(words[index]) }
        for index in 4..<8 { l = l << 16 | UInt64(words[index]) }
        high = h
        low = l
        isIPv6 = true
    }

    static func parseIPv4(_ bytes: ArraySlice<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        var parts = 0
        var current = -1
        var digits = 0
        for byte in bytes {
            if ByteSearch.isDigit(byte) {
                current = (current < 0 ? 0 : current) * 10 + Int(byte - 0x30)
                digits += 1
                if current > 255 || digits > 3 { return nil }
            } else if byte == UInt8(ascii: ".") {
                guard current >= 0, parts < 3 else { return nil }
                value = value << 8 | UInt32(current)
                parts += 1
                current = -1
                digits = 0
            } else {
                return nil
            }
        }
        guard current >= 0, parts == 3 else { return nil }
        return value << 8 | UInt32(current)
    }

    static func parseIPv6(_ bytes: ArraySlice<UInt8>) -> [UInt16]? {
        guard bytes.count >= 2, bytes.count <= 45 else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawCompression = false
        var index = bytes.startIndex
        let end = bytes.endIndex
        if bytes[index] == UInt8(ascii: ":") {
            guard bytes[index + 1] == UInt8(ascii: ":") else { return nil }
            sawCompression = true
            index += 2
        }
        while index < end {
            // A dotted-quad tail takes the last 32 bits.
            var groupEnd = index
            while groupEnd < end && bytes[groupEnd] != UInt8(ascii: ":") { groupEnd += 1 }
            let group = bytes[index..<groupEnd]
            if group.contains(UInt8(ascii: ".")) {
                guard groupEnd == end, let v4 = parseIPv4(group) else { return nil }
                if sawCompression {
                    tail.append(UInt16(v4 >> 16))
                    tail.append(UInt16(v4 & 0xFFFF))
                } else {
                    head.append(UInt16(v4 >> 16))
                    head.append(UInt16(v4 & 0xFFFF))
                }
                index = end
                break
            }
            guard !group.isEmpty, group.count <= 4 else { return nil }
            var word: UInt16 = 0
            for byte in group {
                guard let digit = ByteSearch.hexValue(byte) else { return nil }
                word = word << 4 | UInt16(digit)
            }
            if sawCompression { tail.append(word) } else { head.append(word) }
            index = groupEnd
            if index < end {
                index += 1  // the ':'
                if index < end && bytes[index] == UInt8(ascii: ":") {
                    guard !sawCompression else { return nil }
                    sawCompression = true
                    index += 1
                } else if index == end {
                    return nil  // trailing single ':'
                }
            }
        }
        let total = head.count + tail.count
        if sawCompression {
            guard total <= 7 else { return nil }
            return head + [UInt16](repeating: 0, count: 8 - total) + tail
        }
        return total == 8 ? head : nil
    }
}

/// An address with a prefix length (a CIDR block; a bare address is a /32 or /128).
struct IPNetwork: Sendable, Hashable {
    var address: IPAddress
    var prefix: Int

    init?(_ text: ArraySlice<UInt8>) {
        var addressPart = text
        var prefixValue: Int?
        if let slash = text.firstIndex(of: UInt8(ascii: "/")) {
            addressPart = text[text.startIndex..<slash]
            let digits = text[(slash + 1)...]
            guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy(ByteSearch.isDigit) else { return nil }
            prefixValue = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
        guard let parsed = IPAddress(addressPart) else { return nil }
        let maximum = parsed.isIPv6 ? 128 : 32
        let length = prefixValue ?? maximum
        guard length <= maximum else { return nil }
        address = parsed
        prefix = length
    }

    func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.isIPv6 == address.isIPv6 else { return false }
        if !address.isIPv6 {
            if prefix == 0 { return true }
            let mask: UInt64 = (0xFFFF_FFFF << UInt64(32 - prefix)) & 0xFFFF_FFFF
            return candidate.low & mask == address.low & mask
        }
        let highBits = min(prefix, 64)
        let lowBits = max(prefix - 64, 0)
        let highMask: UInt64 = highBits == 0 ? 0 : ~UInt64(0) << UInt64(64 - highBits)
        let lowMask: UInt64 = lowBits == 0 ? 0 : ~UInt64(0) << UInt64(64 - lowBits)
        return candidate.high & highMask == address.high & highMask && candidate.low & lowMask == address.low & lowMask
    }
}
