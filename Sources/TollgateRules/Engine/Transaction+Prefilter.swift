extension Transaction {
    /// Forgets the prefilter's per-phase results (values may change between phases: the body adds arguments,
    /// the response adds headers and a body).
    func resetPrefilter() {
        guard prefilterComputed else { return }
        prefilterComputed = false
        for i in prefilterDone.indices { prefilterDone[i] = false }
    }

    /// Whether `rule` (covered by the prefilter) may match: for some target (and chain stage), every clause of
    /// its pattern has a literal in the target's values. `false` means it cannot match and need not run.
    func prefilterAdmits(_ rule: CompiledRule) -> Bool {
        let prefilter = ruleSet.prefilter
        let words = prefilter.words
        let state: PrefilterState
        if let existing = prefilterState {
            state = existing
        } else {
            prefilterDone = Array(repeating: false, count: prefilter.pairs.count)
            state = PrefilterState(bits: prefilter.pairs.count * words, scratch: words)
            prefilterState = state
        }
        let word = rule.prefilterWord
        let mask = rule.prefilterMask
        for pair in rule.prefilterPairs {
            if !prefilterDone[pair] {
                computePrefilterGroup(prefilter.pairs[pair].group, prefilter: prefilter, state: state)
            }
            if state.bits[pair &* words &+ word] & mask == mask { return true }
        }
        return false
    }

    /// Visits every value of a variable once and fills the bit sets of all its pairs: a value that none of a
    /// chain's trigger bytes occurs in is the same for that chain (up to case), so one scan of the raw value
    /// with the all-chains scanner, masked per chain, serves all such chains; other chains transform the value
    /// (through the transaction's cache) and scan it with their own scanner.
    private func computePrefilterGroup(_ index: Int, prefilter: RulePrefilter, state: PrefilterState) {
        let group = prefilter.groups[index]
        let words = prefilter.words
        prefilterComputed = true
        // The transaction's bit sets live in memory it owns (allocated once, freed with it), so the per-value
        // loop below works through plain pointers and retains nothing.
        let bits = state.bits
        let scratch = state.scratch
        for pair in group.pairs {
            prefilterDone[pair] = true
            for w in 0..<words { bits[pair &* words &+ w] = 0 }
        }
        guard let global = prefilter.globalScanner else { return }
        prefilter.pairChains.withUnsafeBufferPointer { chains in
            prefilter.chainTriggers.withUnsafeBufferPointer { triggers in
                prefilter.chainMasks.withUnsafeBufferPointer { masks in
                    prefilter.scanners.withUnsafeBufferPointer { scanners in
                        group.pairs.withUnsafeBufferPointer { pairs in
                            forEachValue(of: group.target, exclusions: []) { _, _, value, _ in
                                var rawScanned = false
                                let present = value.withUnsafeBufferPointer { ByteSet($0) }
                                for pairIndex in pairs {
                                    let chain = chains[pairIndex]
                                    let out = bits + pairIndex &* words
                                    if triggers[chain].isDisjoint(with: present) {
                                        if !rawScanned {
                                            rawScanned = true
                                            for w in 0..<words { scratch[w] = 0 }
                                            value.withUnsafeBufferPointer { global.scan($0, into: scratch) }
                                        }
                                        let maskBase = chain &* words
                                        for w in 0..<words { out[w] |= scratch[w] & masks[maskBase &+ w] }
                                    } else if let scanner = scanners[chain] {
                                        // Applied directly, not through the transaction's cache: most values come out unchanged
                                        // (no allocation), and the prefilter's chains include multiMatch prefixes the
                                        // rules never ask the cache for.
                                        var stage = value
                                        for step in prefilter.chainSteps[chain] { stage = step.apply(stage) }
                                        stage.withUnsafeBufferPointer { scanner.scan($0, into: out) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The prefilter's per-transaction bit sets, in memory allocated once and freed with the transaction.
final class PrefilterState {
    let bits: UnsafeMutablePointer<UInt64>
    let scratch: UnsafeMutablePointer<UInt64>

    init(bits count: Int, scratch scratchCount: Int) {
        bits = UnsafeMutablePointer<UInt64>.allocate(capacity: max(count, 1))
        bits.initialize(repeating: 0, count: max(count, 1))
        scratch = UnsafeMutablePointer<UInt64>.allocate(capacity: max(scratchCount, 1))
        scratch.initialize(repeating: 0, count: max(scratchCount, 1))
    }

    deinit {
        bits.deallocate()
        scratch.deallocate()
    }
}
