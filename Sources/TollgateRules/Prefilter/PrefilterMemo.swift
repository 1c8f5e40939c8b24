/// The prefilter's results for recently seen values, kept across the transactions that reuse one
/// `PrefilterState`: what a value contributes to the bit sets of a group's pairs depends only on its bytes, the
/// group (which pairs, hence which chains and masks) and the scanners, so a value seen again (a user agent, an
/// `Accept` header, a bearer token on a keep-alive connection, the path of a hot endpoint) needs no
/// transformation and no scan.
///
/// An entry is the value's bytes and its contribution, sparse (the words it sets, as (offset in the bit sets,
/// bits) pairs: a benign value sets few), appended to a ring of `arenaBytes`; an index of `slots` entries,
/// direct-mapped by a hash of the value, points into the ring. An entry matches only on the same tag (scanner
/// set, group, pair list) and the very same bytes, compared in full: a collision costs a miss, never a wrong
/// result. An entry the ring has since overwritten is a miss. Values over `maxBytes`, or setting more than
/// `maxWords` words, are not kept. The memory (about 320 KiB) is allocated on first use and freed with the state;
/// a prefilter gives a memo to at most `RulePrefilter.memoLimit` of its states.
struct PrefilterMemo {
    static let slots = 2048
    static let arenaBytes = 256 * 1024
    static let maxBytes = 512
    static let maxWords = 128

    /// Per slot: hash (0: empty), tag, absolute ring position, value length, contribution count.
    private var slotHashes: UnsafeMutablePointer<UInt64>?
    private var slotTags: UnsafeMutablePointer<UInt64>?
    private var slotPositions: UnsafeMutablePointer<UInt64>?
    private var slotShape: UnsafeMutablePointer<UInt32>?
    private var arena: UnsafeMutableRawPointer?
    /// Where the next entry goes (absolute: the ring offset is this modulo `arenaBytes`).
    private var head: UInt64 = 0
    /// A miss's nonzero contribution words, collected while it is computed: (offset, bits) pairs.
    private var pending: UnsafeMutablePointer<UInt64>?
    private var pendingCount = 0

    init() {}

    mutating func deallocate() {
        slotHashes?.deallocate()
        slotTags?.deallocate()
        slotPositions?.deallocate()
        slotShape?.deallocate()
        arena?.deallocate()
        pending?.deallocate()
        slotHashes = nil
        slotTags = nil
        slotPositions = nil
        slotShape = nil
        arena = nil
        pending = nil
    }

    @inline(__always)
    private static func slot(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> 53) & (slots - 1) }

    /// ORs into `bits` the contribution kept for `value` under `tag`; false on a miss.
    func apply(_ value: UnsafeBufferPointer<UInt8>, hash: UInt64, tag: UInt64, into bits: UnsafeMutablePointer<UInt64>)
        -> Bool
    {
        guard let slotHashes, let slotTags, let slotPositions, let slotShape, let arena else { return false }
        let slot = Self.slot(hash)
        guard slotHashes[slot] == hash, slotTags[slot] == tag else { return false }
        let position = slotPositions[slot]
        guard head &- position <= UInt64(Self.arenaBytes) else { return false }
        let shape = slotShape[slot]
        let length = Int(shape >> 8)
        guard length == value.count else { return false }
        let entry = arena + Int(position % UInt64(Self.arenaBytes))
        guard Self.equal(UnsafeRawPointer(entry), value) else { return false }
        let words = (entry + Self.padded(length)).assumingMemoryBound(to: UInt64.self)
        var i = 0
        let count = Int(shape & 0xFF)
        while i < count {
            bits[Int(truncatingIfNeeded: words[2 &* i])] |= words[2 &* i &+ 1]
            i &+= 1
        }
        return true
    }

    /// Starts collecting a miss's contribution.
    mutating func beginMiss() {
        if pending == nil {
            pending = UnsafeMutablePointer<UInt64>.allocate(capacity: 2 * Self.maxWords)
        }
        pendingCount = 0
    }

    /// Notes that the miss sets `bits` at `offset` of the bit sets (nonzero `bits` only).
    @inline(__always)
    mutating func note(offset: Int, bits: UInt64) {
        guard let pending, pendingCount < Self.maxWords &+ 1 else { return }
        if pendingCount < Self.maxWords {
            pending[2 &* pendingCount] = UInt64(truncatingIfNeeded: offset)
            pending[2 &* pendingCount &+ 1] = bits
        }
        pendingCount &+= 1
    }

    /// Keeps the contribution collected since `beginMiss()` for `value` under `tag`.
    mutating func store(_ value: UnsafeBufferPointer<UInt8>, hash: UInt64, tag: UInt64) {
        guard let pending, pendingCount <= Self.maxWords, value.count <= Self.maxBytes else { return }
        if slotHashes == nil {
            let hashes = UnsafeMutablePointer<UInt64>.allocate(capacity: Self.slots)
            hashes.initialize(repeating: 0, count: Self.slots)
            slotHashes = hashes
            slotTags = .allocate(capacity: Self.slots)
            slotTags?.initialize(repeating: 0, count: Self.slots)
            slotPositions = .allocate(capacity: Self.slots)
            slotPositions?.initialize(repeating: 0, count: Self.slots)
            slotShape = .allocate(capacity: Self.slots)
            slotShape?.initialize(repeating: 0, count: Self.slots)
            arena = .allocate(byteCount: Self.arenaBytes, alignment: 8)
        }
        guard let slotHashes, let slotTags, let slotPositions, let slotShape, let arena else { return }
        let size = Self.padded(value.count) + 16 * pendingCount
        var offset = Int(head % UInt64(Self.arenaBytes))
        if offset + size > Self.arenaBytes {
            // No entry wraps: the rest of the ring is skipped.
            head &+= UInt64(Self.arenaBytes - offset)
            offset = 0
        }
        let entry = arena + offset
        if let source = value.baseAddress { entry.copyMemory(from: source, byteCount: value.count) }
        (entry + Self.padded(value.count)).copyMemory(from: pending, byteCount: 16 * pendingCount)
        let slot = Self.slot(hash)
        slotHashes[slot] = hash
        slotTags[slot] = tag
        slotPositions[slot] = head
        slotShape[slot] = UInt32(value.count) << 8 | UInt32(pendingCount)
        head &+= UInt64(size)
    }

    @inline(__always)
    private static func padded(_ length: Int) -> Int { (length &+ 7) & ~7 }

    /// A hash of `value` under `tag` (never 0, which marks an empty slot), eight bytes per step. The tag is part
    /// of it: one value is kept once per group that reads it, in different slots.
    static func hash(_ value: UnsafeBufferPointer<UInt8>, tag: UInt64) -> UInt64 {
        let count = value.count
        var h: UInt64 = (tag ^ UInt64(truncatingIfNeeded: count)) &* 0x9E37_79B9_7F4A_7C15
        guard let base = value.baseAddress else { return h | 1 }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i &+ 8 <= count {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
            i &+= 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < count {
            tail |= UInt64(base[i]) << shift
            shift &+= 8
            i &+= 1
        }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 32
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 29
        return h | 1
    }

    private static func equal(_ stored: UnsafeRawPointer, _ value: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = value.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        let count = value.count
        var i = 0
        while i &+ 8 <= count {
            if stored.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                != raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            {
                return false
            }
            i &+= 8
        }
        while i < count {
            if stored.load(fromByteOffset: i, as: UInt8.self) != base[i] { return false }
            i &+= 1
        }
        return true
    }
}
