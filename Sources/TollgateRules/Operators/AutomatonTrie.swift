/// The load-time structure shared by the case-insensitive Aho-Corasick automata (`AhoCorasick` for `@pm`,
/// `LiteralScanner` for the rule prefilter): a trie of the lowercased patterns, failure links in breadth-first
/// order, and the edges flattened per state (sorted, for the sparse walk) with a dense table for the root.
struct AutomatonTrie {
    /// Per state: its edges, by lowercased byte.
    var children: [[UInt8: Int32]] = [[:]]
    /// Per state: its failure link (set by `linkFailures`).
    var failure: [Int32] = []
    /// Every state but the root, in breadth-first order (a state's failure target comes before it).
    var order: [Int] = []

    var stateCount: Int { children.count }

    /// Adds a non-empty pattern (ASCII case-insensitively); returns the state where it ends.
    mutating func insert(_ pattern: [UInt8]) -> Int {
        var state = 0
        for raw in pattern {
            let byte = ByteSearch.lower(raw)
            if let next = children[state][byte] {
                state = Int(next)
            } else {
                children.append([:])
                let next = Int32(children.count - 1)
                children[state][byte] = next
                state = Int(next)
            }
        }
        return state
    }

    /// Computes the failure links and the breadth-first order; call once, after the last `insert`.
    mutating func linkFailures() {
        failure = [Int32](repeating: 0, count: stateCount)
        order = []
        order.reserveCapacity(stateCount)
        for (_, child) in children[0] { order.append(Int(child)) }
        var head = 0
        while head < order.count {
            let state = order[head]
            head += 1
            for (byte, child) in children[state] {
                var f = Int(failure[state])
                while true {
                    if let next = children[f][byte], Int(next) != Int(child) {
                        failure[Int(child)] = next
                        break
                    }
                    if f == 0 {
                        failure[Int(child)] = 0
                        break
                    }
                    f = Int(failure[f])
                }
                order.append(Int(child))
            }
        }
    }

    /// The edges flattened per state, sorted by byte: `bytes[starts[s] ..< starts[s] + counts[s]]`.
    func flattenedEdges() -> (starts: [Int32], counts: [Int32], bytes: [UInt8], targets: [Int32]) {
        var starts = [Int32](repeating: 0, count: stateCount)
        var counts = [Int32](repeating: 0, count: stateCount)
        var bytes: [UInt8] = []
        var targets: [Int32] = []
        for state in 0..<stateCount {
            starts[state] = Int32(bytes.count)
            let sorted = children[state].sorted { $0.key < $1.key }
            counts[state] = Int32(sorted.count)
            for (byte, target) in sorted {
                bytes.append(byte)
                targets.append(target)
            }
        }
        return (starts, counts, bytes, targets)
    }

    /// The root's transitions as a dense 256-entry table.
    func rootTable() -> [Int32] {
        var root = [Int32](repeating: 0, count: 256)
        for (byte, target) in children[0] { root[Int(byte)] = target }
        return root
    }
}
