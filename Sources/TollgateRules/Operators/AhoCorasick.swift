/// A case-insensitive (ASCII) multi-pattern substring matcher built once at load.
///
/// States are trie nodes with failure links; edges are stored flat (sorted per state) and the root has a dense
/// 256-entry table, so matching walks each input byte once and allocates nothing.
struct AhoCorasick: Sendable {
    /// Per state: first index into `edgeBytes`/`edgeTargets`, and the number of edges.
    private let edgeStart: [Int32]
    private let edgeCount: [Int32]
    private let edgeBytes: [UInt8]
    private let edgeTargets: [Int32]
    private let failure: [Int32]
    /// True when a pattern ends at this state or at a state reachable by failure links.
    private let accepting: [Bool]
    /// Dense transitions of the root (state 0).
    private let rootNext: [Int32]
    /// Number of patterns (after dropping empty ones and duplicates).
    let patternCount: Int
    /// True when an empty pattern was given (it matches every value).
    let matchesEverything: Bool

    init(patterns: [[UInt8]]) {
        var trie = AutomatonTrie()
        var terminalStates: [Int] = []
        var distinct = Set<[UInt8]>()
        var sawEmpty = false
        for pattern in patterns {
            if pattern.isEmpty {
                sawEmpty = true
                continue
            }
            guard distinct.insert(pattern.map(ByteSearch.lower)).inserted else { continue }
            terminalStates.append(trie.insert(pattern))
        }
        patternCount = distinct.count
        matchesEverything = sawEmpty
        trie.linkFailures()
        // A state accepts when a pattern ends there or at a state on its failure path (breadth-first order:
        // the failure target is complete first).
        var accept = [Bool](repeating: false, count: trie.stateCount)
        for state in terminalStates { accept[state] = true }
        for state in trie.order where accept[Int(trie.failure[state])] { accept[state] = true }
        let edges = trie.flattenedEdges()
        edgeStart = edges.starts
        edgeCount = edges.counts
        edgeBytes = edges.bytes
        edgeTargets = edges.targets
        failure = trie.failure
        accepting = accept
        rootNext = trie.rootTable()
    }

    /// Returns whether any pattern occurs in `input` (ASCII case-insensitively).
    func matches(_ input: [UInt8]) -> Bool {
        if matchesEverything { return true }
        if patternCount == 0 { return false }
        return input.withUnsafeBufferPointer { buffer in
            var state: Int32 = 0
            for raw in buffer {
                let byte = ByteSearch.lower(raw)
                state = step(state, byte)
                if accepting[Int(state)] { return true }
            }
            return false
        }
    }

    @inline(__always)
    private func step(_ from: Int32, _ byte: UInt8) -> Int32 {
        var state = from
        while true {
            if state == 0 { return rootNext[Int(byte)] }
            let start = Int(edgeStart[Int(state)])
            let end = start + Int(edgeCount[Int(state)])
            var index = start
            while index < end {
                let edge = edgeBytes[index]
                if edge == byte { return edgeTargets[index] }
                if edge > byte { break }
                index += 1
            }
            state = failure[Int(state)]
        }
    }
}
