/// `application/x-www-form-urlencoded` and query-string decoding.
enum URLCoding {
    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 48...57: return b - 48
        case 65...70: return b - 55
        case 97...102: return b - 87
        default: return nil
        }
    }

    /// Decodes `%XX` (and `+` as space when asked); invalid escapes are kept as written.
    static func percentDecode<C: Collection>(_ input: C, plusAsSpace: Bool) -> [UInt8] where C.Element == UInt8 {
        let bytes = Array(input)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "%"), i + 2 < bytes.count, let h = hexValue(bytes[i + 1]),
                let l = hexValue(bytes[i + 2])
            {
                out.append(h << 4 | l)
                i += 3
                continue
            }
            out.append(plusAsSpace && b == UInt8(ascii: "+") ? 32 : b)
            i += 1
        }
        return out
    }

    /// Splits `a=1&b=2` into decoded name/value entries; a part without `=` is a name with an empty value.
    static func parseArguments(_ input: [UInt8], separator: UInt8) -> [Entry] {
        var out: [Entry] = []
        for part in input.split(separator: separator, omittingEmptySubsequences: true) {
            if let eq = part.firstIndex(of: UInt8(ascii: "=")) {
                out.append(
                    Entry(
                        percentDecode(part[part.startIndex..<eq], plusAsSpace: true),
                        percentDecode(part[(eq + 1)...], plusAsSpace: true)))
            } else {
                out.append(Entry(percentDecode(part, plusAsSpace: true), []))
            }
        }
        return out
    }
}
