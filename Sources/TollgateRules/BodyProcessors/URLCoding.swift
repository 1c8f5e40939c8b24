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
        if let decoded = input.withContiguousStorageIfAvailable({
            percentDecode($0, from: 0, to: $0.count, plusAsSpace: plusAsSpace)
        }) {
            return decoded
        }
        return Array(input).withUnsafeBufferPointer {
            percentDecode($0, from: 0, to: $0.count, plusAsSpace: plusAsSpace)
        }
    }

    /// `percentDecode` of `buffer[from ..< to]`, in one allocation (none beyond the result's).
    static func percentDecode(
        _ buffer: UnsafeBufferPointer<UInt8>, from: Int, to end: Int, plusAsSpace: Bool
    ) -> [UInt8] {
        guard from < end, let base = buffer.baseAddress else { return [] }
        return [UInt8](unsafeUninitializedCapacity: end - from) { out, count in
            var i = from
            var n = 0
            while i < end {
                let b = base[i]
                if b == UInt8(ascii: "%"), i + 2 < end, let h = hexValue(base[i + 1]), let l = hexValue(base[i + 2]) {
                    out[n] = h << 4 | l
                    n += 1
                    i += 3
                    continue
                }
                out[n] = plusAsSpace && b == UInt8(ascii: "+") ? 32 : b
                n += 1
                i += 1
            }
            count = n
        }
    }

    /// Splits `a=1&b=2` into decoded name/value entries; a part without `=` is a name with an empty value.
    /// Empty parts (`a=1&&b=2`) are skipped. One pass over the bytes, no intermediate arrays.
    static func parseArguments(_ input: [UInt8], separator: UInt8) -> [Entry] {
        input.withUnsafeBufferPointer { buffer in
            var out: [Entry] = []
            let n = buffer.count
            var start = 0
            while start < n {
                var end = start
                var equals = -1
                while end < n && buffer[end] != separator {
                    if equals < 0 && buffer[end] == UInt8(ascii: "=") { equals = end }
                    end += 1
                }
                if end > start {
                    if equals >= 0 {
                        out.append(
                            Entry(
                                percentDecode(buffer, from: start, to: equals, plusAsSpace: true),
                                percentDecode(buffer, from: equals + 1, to: end, plusAsSpace: true)))
                    } else {
                        out.append(Entry(percentDecode(buffer, from: start, to: end, plusAsSpace: true), []))
                    }
                }
                start = end + 1
            }
            return out
        }
    }
}
