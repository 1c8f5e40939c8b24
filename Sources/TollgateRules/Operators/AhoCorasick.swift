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
        // Build the trie with dictionary edges, then flatten.
        var children: [[UInt8: Int32]] = [[:]]
        var terminal: [Bool] = [false]
        var distinct = Set<[UInt8]>()
        var sawEmpty = false
        for pattern in patterns {
            if pattern.isEmpty {
                sawEmpty = true
                continue
            }
            let lowered = pattern.map(ByteSearch.lower)
            guard distinct.insert(lowered).inserted else { continue }
            var state = 0
            for byte in lowered {
                if let next = children[state][byte] {
                    state = Int(next)
                } else {
                    children.append([:])
                    terminal.append(false)
                    let next = Int32(children.count - 1)
                    children[state][byte] = next
                    state = Int(next)
                }
            }
            terminal[state] = true
        }
        patternCount = distinct.count
        matchesEverything = sawEmpty

        // Breadth-first failure links.
        let stateCount = children.count
        var fail = [Int32](repeating: 0, count: stateCount)
        var accept = terminal
        var queue: [Int] = []
        queue.reserveCapacity(stateCount)
        for (_, child) in children[0] { queue.append(Int(child)) }
        var head = 0
        while head < queue.count {
            let state = queue[head]
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
                if accept[Int(fail[Int(child)])] { accept[Int(child)] = true }
                queue.append(Int(child))
            }
        }

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
        var root = [Int32](repeating: 0, count: 256)
        for (byte, target) in children[0] { root[Int(byte)] = target }
        edgeStart = starts
        edgeCount = counts
        edgeBytes = bytes
        edgeTargets = targets
        failure = fail
        accepting = accept
        rootNext = root
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
