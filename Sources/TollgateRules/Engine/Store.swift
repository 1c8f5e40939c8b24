/// One collection entry: key as received, its lowercase form, and the value.
struct Entry {
    var key: [UInt8]
    var value: [UInt8]
    init(_ key: [UInt8], _ value: [UInt8]) {
        self.key = key
        self.value = value
    }
}

/// Bytes as a dictionary key, hashed in one pass over the buffer (not byte by byte).
struct ByteKey: Hashable {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

/// An ordered, case-insensitive keyed store (TX and the persistent collections, per request).
/// Entries keep the key as first written; lookups go through an index of lowercase keys.
struct KeyedStore {
    private(set) var entries: [Entry] = []
    private var index: [ByteKey: Int] = [:]

    subscript(key: String) -> [UInt8]? {
        self[lowercased: Array(key.utf8).asciiLowercased()]
    }

    subscript(lowercased key: [UInt8]) -> [UInt8]? {
        index[ByteKey(key)].map { entries[$0].value }
    }

    mutating func set(_ key: String, _ value: [UInt8]) {
        let bytes = Array(key.utf8)
        let lower = bytes.asciiLowercased()
        if let i = index[ByteKey(lower)] {
            entries[i].value = value
        } else {
            index[ByteKey(lower)] = entries.count
            entries.append(Entry(bytes, value))
        }
    }

    mutating func remove(_ key: String) {
        guard let i = index.removeValue(forKey: ByteKey(Array(key.utf8).asciiLowercased())) else { return }
        entries.remove(at: i)
        for (k, v) in index where v > i { index[k] = v - 1 }
    }
}

extension Array where Element == UInt8 {
    var string: String { String(decoding: self, as: UTF8.self) }

    /// Parses a decimal integer the way ModSecurity does for numeric operators/setvar (leading blanks,
    /// optional sign, digits; anything else ends it; nothing parses as 0).
    var integerValue: Int {
        var i = 0
        while i < count, self[i] == 32 || self[i] == 9 { i += 1 }
        var negative = false
        if i < count, self[i] == UInt8(ascii: "-") || self[i] == UInt8(ascii: "+") {
            negative = self[i] == UInt8(ascii: "-")
            i += 1
        }
        var v = 0
        while i < count, self[i] >= 48, self[i] <= 57 {
            v = v &* 10 &+ Int(self[i] - 48)
            i += 1
        }
        return negative ? -v : v
    }

    func equalsIgnoringCase(_ other: [UInt8]) -> Bool {
        guard count == other.count else { return false }
        for i in indices {
            let a = self[i], b = other[i]
            if a == b { continue }
            let la = (a >= 65 && a <= 90) ? a + 32 : a
            let lb = (b >= 65 && b <= 90) ? b + 32 : b
            if la != lb { return false }
        }
        return true
    }
}
