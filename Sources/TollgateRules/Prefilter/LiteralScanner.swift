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
    /// Number of automaton states (for tests and diagnostics).
    let stateCount: Int
    /// Per state: first index into `edgeBytes`/`edgeTargets` and the number of edges.
    private let edgeStart: UnsafeMutableBufferPointer<Int32>
    private let edgeCount: UnsafeMutableBufferPointer<Int32>
    private let edgeBytes: UnsafeMutableBufferPointer<UInt8>
    private let edgeTargets: UnsafeMutableBufferPointer<Int32>
    private let failure: UnsafeMutableBufferPointer<Int32>
    /// Dense transitions of the root.
    private let rootNext: UnsafeMutableBufferPointer<Int32>
    /// Per state: the index of its output bit set in `outputs` (in words), or -1 when it accepts nothing.
    private let outputIndex: UnsafeMutableBufferPointer<Int32>
    private let outputs: UnsafeMutableBufferPointer<UInt64>

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
        outputs.deallocate()
    }

    /// - Parameters:
    ///   - patterns: (literal, rule bit) pairs; literals must be non-empty.
    ///   - words: words per bit set (`(bits + 63) / 64`).
    init(patterns: [(literal: [UInt8], bit: Int)], words: Int) {
        self.words = words
        var children: [[UInt8: Int32]] = [[:]]
        var bits: [[Int]] = [[]]
        for (literal, bit) in patterns where !literal.isEmpty {
            var state = 0
            for raw in literal {
                let byte = ByteSearch.lower(raw)
                if let next = children[state][byte] {
                    state = Int(next)
                } else {
                    children.append([:])
                    bits.append([])
                    let next = Int32(children.count - 1)
                    children[state][byte] = next
                    state = Int(next)
                }
            }
            bits[state].append(bit)
        }
        let stateCount = children.count
        var fail = [Int32](repeating: 0, count: stateCount)
        var order: [Int] = []
        order.reserveCapacity(stateCount)
        for (_, child) in children[0] { order.append(Int(child)) }
        var head = 0
        while head < order.count {
            let state = order[head]
            head += 1
            for (byte, child) in children[state] {
                var f = Int(fail[state])
                while true {
                    if let next = children[f][byte], Int(next) != Int(child) {
                        fail[Int(child)] = next
                        break
                    }
                    if f == 0 {
                        fail[Int(child)] = 0
                        break
                    }
                    f = Int(fail[f])
                }
                order.append(Int(child))
            }
        }
        // Outputs in breadth-first order, so a state's failure target is complete before the state.
        var outIndex = [Int32](repeating: -1, count: stateCount)
        var out: [UInt64] = []
        var merged = [[UInt64]](repeating: [], count: stateCount)
        for state in order {
            var set = merged[Int(fail[state])]
            if !bits[state].isEmpty {
                if set.isEmpty { set = [UInt64](repeating: 0, count: words) }
                for bit in bits[state] { set[bit >> 6] |= 1 << UInt64(bit & 63) }
            }
            merged[state] = set
            if !set.isEmpty {
                outIndex[state] = Int32(out.count)
                out.append(contentsOf: set)
            }
        }
        var starts = [Int32](repeating: 0, count: stateCount)
        var counts = [Int32](repeating: 0, count: stateCount)
        var edgeBytes: [UInt8] = []
        var edgeTargets: [Int32] = []
        for state in 0..<stateCount {
            starts[state] = Int32(edgeBytes.count)
            let sorted = children[state].sorted { $0.key < $1.key }
            counts[state] = Int32(sorted.count)
            for (byte, target) in sorted {
                edgeBytes.append(byte)
                edgeTargets.append(target)
            }
        }
        var root = [Int32](repeating: 0, count: 256)
        for (byte, target) in children[0] { root[Int(byte)] = target }
        self.stateCount = stateCount
        edgeStart = Self.copy(starts)
        edgeCount = Self.copy(counts)
        self.edgeBytes = Self.copy(edgeBytes)
        self.edgeTargets = Self.copy(edgeTargets)
        failure = Self.copy(fail)
        rootNext = Self.copy(root)
        outputIndex = Self.copy(outIndex)
        outputs = Self.copy(out)
    }

    /// ORs into `into[0 ..< words]` the bits of every rule with a literal in `input`.
    func scan(_ input: UnsafeBufferPointer<UInt8>, into: UnsafeMutablePointer<UInt64>) {
        var state: Int32 = 0
        for raw in input {
            let byte = ByteSearch.lower(raw)
            // Follow failure links until an edge on `byte` exists (or the root).
            while true {
                if state == 0 {
                    state = rootNext[Int(byte)]
                    break
                }
                let start = Int(edgeStart[Int(state)])
                let end = start + Int(edgeCount[Int(state)])
                var found: Int32 = -1
                var i = start
                while i < end {
                    let b = edgeBytes[i]
                    if b == byte {
                        found = edgeTargets[i]
                        break
                    }
                    if b > byte { break }
                    i += 1
                }
                if found >= 0 {
                    state = found
                    break
                }
                state = failure[Int(state)]
            }
            let o = Int(outputIndex[Int(state)])
            if o >= 0 {
                for w in 0..<words { into[w] |= outputs[o + w] }
            }
        }
    }
}
