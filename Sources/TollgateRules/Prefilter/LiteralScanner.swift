/// A case-insensitive (ASCII) Aho-Corasick automaton whose patterns carry rule bits: one pass over a value
/// ORs into a bit set every rule one of whose literals occurs in it.
///
/// Built once at load per transformation chain. Each state's output is the union of the rule bits of every
/// pattern ending there or at a state on its failure path, so matching walks each byte once, allocates
/// nothing, and touches the output only at accepting states.
///
/// The tables live in buffers allocated once and never written after `init`; the value is a handful of
/// pointers, so copying it costs no reference counting in the per-value loop. The owner (`RulePrefilter`)
/// frees them with `deallocate()` (hence `@unchecked Sendable`).
struct LiteralScanner: @unchecked Sendable {
    /// Words per rule bit set.
    let words: Int
    /// Per state: first index into `edgeBytes`/`edgeTargets` and the number of edges.
    private let edgeStart: UnsafeMutableBufferPointer<Int32>
    private let edgeCount: UnsafeMutableBufferPointer<Int32>
    private let edgeBytes: UnsafeMutableBufferPointer<UInt8>
    private let edgeTargets: UnsafeMutableBufferPointer<Int32>
    private let failure: UnsafeMutableBufferPointer<Int32>
    /// Dense transitions of the root.
    private let rootNext: UnsafeMutableBufferPointer<Int32>
    /// Per state: where its output starts in `outputWords`/`outputMasks`, or -1 when it accepts nothing. An
    /// output lists only its non-zero words, (word, mask) pairs ended by word -1, and states with the same
    /// output share it.
    private let outputIndex: UnsafeMutableBufferPointer<Int32>
    private let outputWords: UnsafeMutableBufferPointer<Int32>
    private let outputMasks: UnsafeMutableBufferPointer<UInt64>
    /// Per state: the index of its dense row (complete transitions, failure links resolved), or -1.
    private let denseIndex: UnsafeMutableBufferPointer<Int32>
    /// 256 next states per dense row: the states with the most edges (the hot ones near the root) step in
    /// one load instead of a search and a walk of failure links.
    private let denseRows: UnsafeMutableBufferPointer<Int32>
    /// Per byte value: where the output of the one-byte literals equal to it (either case) starts in
    /// `outputWords`/`outputMasks`, or -1. One-byte literals stay out of the automaton: in it they would make
    /// almost every state accepting (any state whose failure path reaches them), so every input byte would walk
    /// an output. Instead the bytes present in a value are looked up once each after the walk.
    private let byteOutputIndex: UnsafeMutableBufferPointer<Int32>
    /// Most dense rows by default (1 KiB each).
    static let denseRowLimit = 512

    private static func copy<T>(_ array: [T]) -> UnsafeMutableBufferPointer<T> {
        let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(array.count, 1))
        _ = buffer.initialize(from: array)
        return buffer
    }

    /// Frees the tables; call once, from the owner's `deinit`.
    func deallocate() {
        edgeStart.deallocate()
        edgeCount.deallocate()
        edgeBytes.deallocate()
        edgeTargets.deallocate()
        failure.deallocate()
        rootNext.deallocate()
        outputIndex.deallocate()
        outputWords.deallocate()
        outputMasks.deallocate()
        denseIndex.deallocate()
        denseRows.deallocate()
        byteOutputIndex.deallocate()
    }

    /// - Parameters:
    ///   - patterns: (literal, rule bit) pairs; literals must be non-empty.
    ///   - words: words per bit set (`(bits + 63) / 64`).
    ///   - denseRowLimit: most dense rows (1 KiB each).
    init(patterns: [(literal: [UInt8], bit: Int)], words: Int, denseRowLimit: Int = LiteralScanner.denseRowLimit) {
        self.words = words
        var trie = AutomatonTrie()
        var ends: [(state: Int, bit: Int)] = []
        var byteBits = [[Int]](repeating: [], count: 256)
        for (literal, bit) in patterns where !literal.isEmpty {
            if literal.count == 1 {
                let lower = ByteSearch.lower(literal[0])
                byteBits[Int(lower)].append(bit)
                // The automaton folds case; the byte table is read with raw bytes, so both cases carry the bits.
                if lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z") { byteBits[Int(lower - 32)].append(bit) }
                continue
            }
            ends.append((trie.insert(literal), bit))
        }
        trie.linkFailures()
        let stateCount = trie.stateCount
        let fail = trie.failure
        let order = trie.order
        var bits = [[Int]](repeating: [], count: stateCount)
        for (state, bit) in ends { bits[state].append(bit) }
        // Outputs in breadth-first order, so a state's failure target is complete before the state.
        var outIndex = [Int32](repeating: -1, count: stateCount)
        var outWords: [Int32] = []
        var outMasks: [UInt64] = []
        var shared: [[UInt64]: Int32] = [:]
        /// Where the output of bit set `set` starts, appending it unless an equal one is already there.
        func outputStart(_ set: [UInt64]) -> Int32 {
            if let start = shared[set] { return start }
            let start = Int32(outWords.count)
            for (word, mask) in set.enumerated() where mask != 0 {
                outWords.append(Int32(word))
                outMasks.append(mask)
            }
            outWords.append(-1)
            outMasks.append(0)
            shared[set] = start
            return start
        }
        var merged = [[UInt64]](repeating: [], count: stateCount)
        for state in order {
            var set = merged[Int(fail[state])]
            if !bits[state].isEmpty {
                if set.isEmpty { set = [UInt64](repeating: 0, count: words) }
                for bit in bits[state] { set[bit >> 6] |= 1 << UInt64(bit & 63) }
            }
            merged[state] = set
            if !set.isEmpty { outIndex[state] = outputStart(set) }
        }
        var byteOut = [Int32](repeating: -1, count: 256)
        for byte in 0..<256 where !byteBits[byte].isEmpty {
            var set = [UInt64](repeating: 0, count: words)
            for bit in byteBits[byte] { set[bit >> 6] |= 1 << UInt64(bit & 63) }
            byteOut[byte] = outputStart(set)
        }
        byteOutputIndex = Self.copy(byteOut)
        let (starts, counts, edgeBytes, edgeTargets) = trie.flattenedEdges()
        let root = trie.rootTable()
        edgeStart = Self.copy(starts)
        edgeCount = Self.copy(counts)
        self.edgeBytes = Self.copy(edgeBytes)
        failure = Self.copy(fail)
        outputIndex = Self.copy(outIndex)
        outputWords = Self.copy(outWords)
        outputMasks = Self.copy(outMasks)
        // Dense rows for the states with the most edges (ties: the shallower first, in breadth-first order).
        var rank = Array(1..<stateCount)
        var depthOrder = [Int](repeating: 0, count: stateCount)
        for (position, state) in order.enumerated() { depthOrder[state] = position }
        rank.sort { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : depthOrder[$0] < depthOrder[$1] }
        let chosen = rank.prefix(denseRowLimit).filter { counts[$0] >= 4 }
        var dense = [Int32](repeating: -1, count: stateCount)
        for (row, state) in chosen.enumerated() { dense[state] = Int32(row) }
        var rows = [Int32](repeating: 0, count: max(chosen.count, 1) * 256)
        for (row, state) in chosen.enumerated() {
            for byte in 0..<256 {
                // The goto function with failure links resolved, as the sparse walk computes it.
                var current = Int32(state)
                var next: Int32 = 0
                while true {
                    if current == 0 {
                        next = root[byte]
                        break
                    }
                    if let child = trie.children[Int(current)][UInt8(byte)] {
                        next = child
                        break
                    }
                    current = fail[Int(current)]
                }
                rows[row * 256 + byte] = next
            }
        }
        // Transition targets carry their state's flags, so the walk reads a state's output index or dense row
        // only when it has one (two random loads per byte fewer in the usual case).
        func flagged(_ state: Int32) -> Int32 {
            state | (outIndex[Int(state)] >= 0 ? Self.acceptingFlag : 0) | (dense[Int(state)] >= 0 ? Self.denseFlag : 0)
        }
        self.edgeTargets = Self.copy(edgeTargets.map(flagged))
        rootNext = Self.copy(root.map(flagged))
        denseIndex = Self.copy(dense)
        denseRows = Self.copy(rows.map(flagged))
    }

    /// Flags of a transition target: the state accepts (has an output) / has a dense row. State numbers stay below
    /// 2^30.
    static let acceptingFlag = Int32(bitPattern: 0x8000_0000)
    static let denseFlag: Int32 = 0x4000_0000
    static let stateMask: Int32 = 0x3FFF_FFFF

    /// ORs into `into[0 ..< words]` the bits of every rule with a literal in `input`.
    func scan(_ input: UnsafeBufferPointer<UInt8>, into: UnsafeMutablePointer<UInt64>) {
        scan(input, present: ByteSet(input), into: into)
    }

    /// `scan(_:into:)` with the bytes present in `input` already known.
    func scan(_ input: UnsafeBufferPointer<UInt8>, present: ByteSet, into: UnsafeMutablePointer<UInt64>) {
        withUnsafeBytes(of: present.words) { raw in
            for w in 0..<4 {
                var m = raw.load(fromByteOffset: w &* 8, as: UInt64.self)
                while m != 0 {
                    let byte = w &* 64 &+ m.trailingZeroBitCount
                    m &= m &- 1
                    let o = Int(byteOutputIndex[byte])
                    if o >= 0 { applyOutput(o, into: into) }
                }
            }
        }
        // `state` is a flagged transition target (see `acceptingFlag`); the root has no output and no row.
        var state: Int32 = 0
        for raw in input {
            let byte = ByteSearch.lower(raw)
            let current = state & Self.stateMask
            if state & Self.denseFlag != 0 {
                state = denseRows[Int(denseIndex[Int(current)]) &* 256 &+ Int(byte)]
            } else {
                state = step(current, byte)
            }
            if state < 0 { applyOutput(Int(outputIndex[Int(state & Self.stateMask)]), into: into) }
        }
    }

    /// ORs the output list starting at `start` (word, mask pairs ended by word -1) into `into`.
    @inline(__always)
    private func applyOutput(_ start: Int, into: UnsafeMutablePointer<UInt64>) {
        var o = start
        while true {
            let word = outputWords[o]
            if word < 0 { return }
            into[Int(word)] |= outputMasks[o]
            o &+= 1
        }
    }

    /// The next state (flagged) on `byte` from a state without a dense row: its edges, else its failure links.
    @inline(__always)
    private func step(_ from: Int32, _ byte: UInt8) -> Int32 {
        var state = from
        // Follow failure links until an edge on `byte` exists (or the root).
        while true {
            if state == 0 { return rootNext[Int(byte)] }
            let start = Int(edgeStart[Int(state)])
            let end = start + Int(edgeCount[Int(state)])
            // Targets are flagged (negative when accepting): the edge's index says whether one was found.
            var found = -1
            var i = start
            while i < end {
                let b = edgeBytes[i]
                if b == byte {
                    found = i
                    break
                }
                if b > byte { break }
                i += 1
            }
            if found >= 0 { return edgeTargets[found] }
            state = failure[Int(state)]
        }
    }
}
