/// One collection entry: key as received, its lowercase form, and the value.
struct Entry {
    var key: [UInt8]
    var value: [UInt8]
    init(_ key: [UInt8], _ value: [UInt8]) {
        self.key = key
        self.value = value
    }
}

/// An ordered, case-insensitive keyed store (TX and the persistent collections, per request).
/// A class owned by one transaction: reading TX from the rule loop takes one reference, not a copy of four
/// arrays.
/// Entries keep the key as first written; lookups go through an open-addressing table of lowercase-key hashes
/// (one pass over the key, no `Hasher` per lookup: CRS reads and writes TX a few hundred times per request).
final class KeyedStore {
    private(set) var entries: [Entry] = []
    /// Per entry: the lowercase key and its hash.
    private var lowerKeys: [[UInt8]] = []
    private var hashes: [UInt64] = []
    /// Slots: 0 empty, otherwise an index into `entries` plus one. The count is a power of two, at most half full.
    private var table: [Int32] = []

    /// Per process: an attacker who chooses keys (header names end up in TX keys) cannot aim at one slot.
    private static let seed: UInt64 = UInt64.random(in: 1...UInt64.max)

    /// A hash of the bytes, eight at a time.
    static func hash(_ key: [UInt8]) -> UInt64 {
        key.withUnsafeBytes { raw in
            var h = seed ^ (UInt64(raw.count) &* 0x9E37_79B9_7F4A_7C15)
            var i = 0
            let n = raw.count
            while i + 8 <= n {
                let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                h = (h ^ word) &* 0xBF58_476D_1CE4_E5B9
                h ^= h >> 29
                i += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(raw[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
            h ^= h >> 31
            return h
        }
    }

    /// An independent store with the same entries (the arrays are copied on write).
    func copy() -> KeyedStore {
        let other = KeyedStore()
        other.entries = entries
        other.lowerKeys = lowerKeys
        other.hashes = hashes
        other.table = table
        return other
    }

    subscript(key: String) -> [UInt8]? {
        self[lowercased: Array(key.utf8).asciiLowercased()]
    }

    subscript(lowercased key: [UInt8]) -> [UInt8]? {
        self[lowercased: key, hash: Self.hash(key)]
    }

    /// The value of `key` (lowercase) whose `hash(_:)` the caller computed at load.
    subscript(lowercased key: [UInt8], hash hash: UInt64) -> [UInt8]? {
        guard let i = find(key, hash: hash) else { return nil }
        return entries[i].value
    }

    /// Index of `key` (lowercased), or nil. The tables are borrowed, not copied: comparing `lowerKeys[i]`
    /// through the array retained and released the key per probe.
    private func find(_ key: [UInt8], hash: UInt64) -> Int? {
        guard !table.isEmpty else { return nil }
        return table.withUnsafeBufferPointer { slots in
            hashes.withUnsafeBufferPointer { storedHashes in
                lowerKeys.withUnsafeBufferPointer { keys in
                    let mask = slots.count - 1
                    var p = Int(truncatingIfNeeded: hash) & mask
                    while true {
                        let s = Int(slots[p])
                        if s == 0 { return nil }
                        if storedHashes[s - 1] == hash && keys[s - 1] == key { return s - 1 }
                        p = (p + 1) & mask
                    }
                }
            }
        }
    }

    private func insertSlot(_ index: Int, hash: UInt64) {
        let mask = table.count - 1
        var p = Int(truncatingIfNeeded: hash) & mask
        while table[p] != 0 { p = (p + 1) & mask }
        table[p] = Int32(index + 1)
    }

    private func rebuild(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        table = Array(repeating: 0, count: size)
        for i in hashes.indices { insertSlot(i, hash: hashes[i]) }
    }

    func set(_ key: String, _ value: [UInt8]) {
        let bytes = Array(key.utf8)
        set(bytes: bytes, lowercased: bytes.asciiLowercased(), value)
    }

    /// `set` with the key as bytes and its lowercase form precomputed (setvar with a constant key).
    func set(bytes: [UInt8], lowercased lower: [UInt8], _ value: [UInt8]) {
        set(bytes: bytes, lowercased: lower, hash: Self.hash(lower), value)
    }

    /// `set(bytes:lowercased:_:)` with `hash(lower)` computed by the caller (at load, for constant keys).
    func set(bytes: [UInt8], lowercased lower: [UInt8], hash: UInt64, _ value: [UInt8]) {
        if let i = find(lower, hash: hash) {
            entries[i].value = value
            return
        }
        entries.append(Entry(bytes, value))
        lowerKeys.append(lower)
        hashes.append(hash)
        if entries.count * 2 > table.count {
            rebuild(capacity: max(entries.count * 2, 64))
        } else {
            insertSlot(entries.count - 1, hash: hash)
        }
    }

    /// `remove` with the lowercase key precomputed.
    func remove(lowercased lower: [UInt8]) {
        guard let i = find(lower, hash: Self.hash(lower)) else { return }
        entries.remove(at: i)
        lowerKeys.remove(at: i)
        hashes.remove(at: i)
        rebuild(capacity: max(entries.count, 32))
    }

    func remove(_ key: String) {
        remove(lowercased: Array(key.utf8).asciiLowercased())
    }
}

extension Array where Element == UInt64 {
    /// Whether bit `ordinal` is set (false for a negative or out-of-range ordinal).
    func contains(ordinal: Int) -> Bool {
        ordinal >= 0 && ordinal >> 6 < count && self[ordinal >> 6] & (1 << UInt64(ordinal & 63)) != 0
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

    /// Whether the bytes start with `prefix` (ASCII letters compared case-insensitively when asked; `prefix` is
    /// then lowercase).
    func hasPrefix(_ prefix: [UInt8], ignoringCase: Bool) -> Bool {
        guard count >= prefix.count else { return false }
        for i in prefix.indices {
            var a = self[i]
            if ignoringCase && a >= 65 && a <= 90 { a += 32 }
            if a != prefix[i] { return false }
        }
        return true
    }
}

/// The transaction's collections (TX, IP, ...) by variable ordinal: array indexing instead of hashing the
/// variable on every TX read and setvar.
struct StoreTable {
    private var slots: [KeyedStore?] = Array(repeating: nil, count: Variable.allCases.count)

    subscript(variable: Variable) -> KeyedStore? { slots[variable.ordinal] }

    /// The store of `variable`, created empty on first use.
    /// Starts `variable` with `store` (before any rule ran).
    mutating func seed(_ variable: Variable, _ store: KeyedStore) { slots[variable.ordinal] = store }

    mutating func make(_ variable: Variable) -> KeyedStore {
        if let store = slots[variable.ordinal] { return store }
        let store = KeyedStore()
        slots[variable.ordinal] = store
        return store
    }
}
