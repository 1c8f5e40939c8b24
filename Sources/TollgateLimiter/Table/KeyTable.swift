/// A bounded table of per-(function, client) limiter state, stored as parallel arrays.
///
/// Each entry is identified by a 64-bit keyed hash (SipHash via `Hasher`, seeded per process) of the
/// function index and the client key bytes; the key text itself is not stored. An open-addressing index
/// (linear probing, load ≤ 1/2, backward-shift deletion) maps hashes to entry numbers, and an intrusive
/// doubly linked list keeps entries in recency order for LRU eviction.
///
/// Per entry: hash 8 + TAT 8 + LRU links 8 + function 2 + in-flight 2 + window epoch 4 = 32 bytes, plus
/// `budgetStride × 8` bytes of budget sub-buckets when client budgets are configured, plus 4–8 bytes of
/// index. See `bytesPerKey` and docs/limiter.md for measured figures.
struct KeyTable: Sendable {
    static let none: Int32 = -1

    let maxKeys: Int
    /// UInt64 budget counters per entry (sub-buckets × lanes); 0 when no client budget is configured.
    let budgetStride: Int

    private(set) var hashes: [UInt64] = []
    var tats: [UInt64] = []
    var functions: [UInt16] = []
    var inFlight: [UInt16] = []
    var epochs: [UInt32] = []
    var budgets: [UInt64] = []
    private var prev: [Int32] = []
    private var next: [Int32] = []
    private var free: [Int32] = []
    private var slots: [Int32]
    private var mask: Int
    private(set) var head: Int32 = none  // most recently used
    private(set) var tail: Int32 = none  // least recently used
    private(set) var count = 0
    private(set) var evictions: UInt64 = 0
    private(set) var idleEvictions: UInt64 = 0

    init(maxKeys: Int, budgetStride: Int) {
        self.maxKeys = maxKeys
        self.budgetStride = budgetStride
        let initial = 64
        slots = Array(repeating: KeyTable.none, count: initial)
        mask = initial - 1
        // Reserve the full capacity now: untouched pages cost address space, not resident memory, and the
        // arrays never go through doubling copies (which would briefly need twice the memory).
        hashes.reserveCapacity(maxKeys)
        tats.reserveCapacity(maxKeys)
        functions.reserveCapacity(maxKeys)
        inFlight.reserveCapacity(maxKeys)
        epochs.reserveCapacity(maxKeys)
        prev.reserveCapacity(maxKeys)
        next.reserveCapacity(maxKeys)
        budgets.reserveCapacity(maxKeys * budgetStride)
    }

    // MARK: Lookup

    func find(_ hash: UInt64) -> Int32? {
        var s = Int(truncatingIfNeeded: hash) & mask
        while true {
            let e = slots[s]
            if e == KeyTable.none { return nil }
            if hashes[Int(e)] == hash { return e }
            s = (s + 1) & mask
        }
    }

    /// Returns the entry for `hash`, inserting a fresh one (evicting if full) when absent, and marks it
    /// most recently used. `isIdle(entry)` says whether an entry's state equals a fresh key's.
    mutating func findOrInsert(
        _ hash: UInt64, function: UInt16, idleScan: Int, isIdle: (KeyTable, Int) -> Bool
    ) -> (entry: Int, evicted: (function: UInt16, inFlight: UInt16)?) {
        if let e = find(hash) {
            moveToHead(e)
            return (Int(e), nil)
        }
        var evicted: (function: UInt16, inFlight: UInt16)?
        if count >= maxKeys {
            evicted = evictOne(idleScan: idleScan, isIdle: isIdle)
        }
        let e = allocate()
        let i = Int(e)
        hashes[i] = hash
        tats[i] = 0
        functions[i] = function
        inFlight[i] = 0
        epochs[i] = 0
        if budgetStride > 0 {
            for j in (i * budgetStride)..<((i + 1) * budgetStride) { budgets[j] = 0 }
        }
        insertIndex(e)
        linkAtHead(e)
        count += 1
        return (i, evicted)
    }

    /// Removes an entry (its state is forgotten; the key starts fresh next time).
    mutating func remove(_ entry: Int) {
        let e = Int32(entry)
        removeIndex(e)
        unlink(e)
        free.append(e)
        count -= 1
    }

    /// Walks from the least recently used end, at most `limit` entries, removing those `isIdle` accepts.
    /// Returns how many were removed.
    @discardableResult
    mutating func sweepIdle(limit: Int, isIdle: (KeyTable, Int) -> Bool) -> Int {
        var e = tail
        var seen = 0
        var removed = 0
        while e != KeyTable.none && seen < limit {
            let before = prev[Int(e)]
            if isIdle(self, Int(e)) {
                remove(Int(e))
                removed += 1
            }
            e = before
            seen += 1
        }
        return removed
    }

    /// Entries from most to least recently used (for tests and diagnostics).
    func recencyOrder() -> [Int] {
        var out: [Int] = []
        var e = head
        while e != KeyTable.none {
            out.append(Int(e))
            e = next[Int(e)]
        }
        return out
    }

    // MARK: Eviction

    /// Evicts the least recently used idle entry among the `idleScan` least recent; if none is idle,
    /// the least recently used entry. Returns the evicted entry's function and in-flight count.
    private mutating func evictOne(idleScan: Int, isIdle: (KeyTable, Int) -> Bool) -> (
        function: UInt16, inFlight: UInt16
    ) {
        var e = tail
        var seen = 0
        while e != KeyTable.none && seen < idleScan {
            if isIdle(self, Int(e)) {
                idleEvictions += 1
                evictions += 1
                let info = (functions[Int(e)], inFlight[Int(e)])
                remove(Int(e))
                return info
            }
            e = prev[Int(e)]
            seen += 1
        }
        precondition(tail != KeyTable.none, "evicting from an empty table")
        let victim = Int(tail)
        let info = (functions[victim], inFlight[victim])
        evictions += 1
        remove(victim)
        return info
    }

    // MARK: Storage

    private mutating func allocate() -> Int32 {
        if let e = free.popLast() { return e }
        let e = Int32(hashes.count)
        hashes.append(0)
        tats.append(0)
        functions.append(0)
        inFlight.append(0)
        epochs.append(0)
        prev.append(KeyTable.none)
        next.append(KeyTable.none)
        if budgetStride > 0 {
            budgets.append(contentsOf: repeatElement(0, count: budgetStride))
        }
        return e
    }

    private mutating func insertIndex(_ e: Int32) {
        if (count + 1) * 2 > slots.count { grow() }
        var s = Int(truncatingIfNeeded: hashes[Int(e)]) & mask
        while slots[s] != KeyTable.none { s = (s + 1) & mask }
        slots[s] = e
    }

    private mutating func grow() {
        let newCount = slots.count * 2
        slots = Array(repeating: KeyTable.none, count: newCount)
        mask = newCount - 1
        var e = head
        while e != KeyTable.none {
            var s = Int(truncatingIfNeeded: hashes[Int(e)]) & mask
            while slots[s] != KeyTable.none { s = (s + 1) & mask }
            slots[s] = e
            e = next[Int(e)]
        }
    }

    /// Backward-shift deletion: keeps every probe chain unbroken without tombstones.
    private mutating func removeIndex(_ e: Int32) {
        let hash = hashes[Int(e)]
        var i = Int(truncatingIfNeeded: hash) & mask
        while slots[i] != e { i = (i + 1) & mask }
        slots[i] = KeyTable.none
        var j = i
        while true {
            j = (j + 1) & mask
            let moved = slots[j]
            if moved == KeyTable.none { return }
            let home = Int(truncatingIfNeeded: hashes[Int(moved)]) & mask
            // Leave `moved` in place when its home lies cyclically in (i, j].
            let stays = i <= j ? (home > i && home <= j) : (home > i || home <= j)
            if !stays {
                slots[i] = moved
                slots[j] = KeyTable.none
                i = j
            }
        }
    }

    private mutating func linkAtHead(_ e: Int32) {
        prev[Int(e)] = KeyTable.none
        next[Int(e)] = head
        if head != KeyTable.none { prev[Int(head)] = e }
        head = e
        if tail == KeyTable.none { tail = e }
    }

    private mutating func unlink(_ e: Int32) {
        let p = prev[Int(e)]
        let n = next[Int(e)]
        if p != KeyTable.none { next[Int(p)] = n } else { head = n }
        if n != KeyTable.none { prev[Int(n)] = p } else { tail = p }
        prev[Int(e)] = KeyTable.none
        next[Int(e)] = KeyTable.none
    }

    private mutating func moveToHead(_ e: Int32) {
        if head == e { return }
        unlink(e)
        linkAtHead(e)
    }

    // MARK: Memory

    /// Bytes of the table in use: entries ever allocated (live or free) plus the index.
    var usedBytes: Int { hashes.count * entryBytes + free.capacity * 4 + slots.count * 4 }

    /// Bytes reserved by the table's arrays (capacities): address space, mostly not resident until used.
    var allocatedBytes: Int {
        hashes.capacity * 8 + tats.capacity * 8 + functions.capacity * 2 + inFlight.capacity * 2
            + epochs.capacity * 4 + budgets.capacity * 8 + prev.capacity * 4 + next.capacity * 4
            + free.capacity * 4 + slots.capacity * 4
    }

    /// Fixed bytes per entry in the parallel arrays, excluding the index and array growth slack.
    var entryBytes: Int { 8 + 8 + 2 + 2 + 4 + 4 + 4 + budgetStride * 8 }
}
