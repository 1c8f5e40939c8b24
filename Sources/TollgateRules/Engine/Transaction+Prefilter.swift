extension Transaction {
    /// Forgets the prefilter's per-phase results (values may change between phases: the body adds arguments,
    /// the response adds headers and a body).
    ///
    /// A new phase forgets only the pairs whose values can change (`RulePrefilter.changingPairs`): the request
    /// headers, cookies and line scanned in phase 1 are the same in phase 2. `all` forgets every pair (the
    /// scanners changed).
    func resetPrefilter(all: Bool = false) {
        guard prefilterComputed else { return }
        prefilterComputed = false
        if all {
            for i in prefilterDone.indices { prefilterDone[i] = false }
        } else {
            for i in ruleSet.prefilter.changingPairs where i < prefilterDone.count { prefilterDone[i] = false }
        }
    }

    /// Goes back to the ruleset's full scanners (a gate that skips rules whose literals the load-time scanners
    /// left out did not apply): the pairs computed so far are computed again.
    func useFullScanners() {
        guard !usingFullScanners else { return }
        usingFullScanners = true
        scanners = ruleSet.prefilter.scanners
        resetPrefilter(all: true)
    }

    /// Whether `rule` (covered by the prefilter) may match: for some target (and chain stage), every clause of
    /// its pattern has a literal in the target's values. `false` means it cannot match and need not run.
    func prefilterAdmits(_ rule: CompiledRule) -> Bool {
        if prefilterBits == nil {
            let prefilter = ruleSet.prefilter
            prefilterDone = Array(repeating: false, count: prefilter.pairs.count)
            prefilterState = prefilter.takeState()
        }
        return anyPairAdmits(rule.prefilterPairs, rule)
    }

    /// Whether some value of `rule`'s target at `position` may match (the rule must be covered and admitted).
    func prefilterAdmitsTarget(_ rule: CompiledRule, _ position: Int) -> Bool {
        guard prefilterBits != nil, position < rule.prefilterTargetPairs.count else { return true }
        return anyPairAdmits(rule.prefilterTargetPairs[position], rule)
    }

    /// Whether one of `pairs` holds every bit of `rule` (computing the pairs not computed yet). Reads only
    /// plain values (the bits pointer, the word count): no object is retained per rule.
    private func anyPairAdmits(_ pairs: [Int], _ rule: CompiledRule) -> Bool {
        let words = ruleSet.prefilter.words
        let word = rule.prefilterWord
        let mask = rule.prefilterMask
        for pair in pairs {
            if !prefilterDone[pair] {
                guard let state = prefilterState else { return true }
                computePrefilterPair(pair, prefilter: ruleSet.prefilter, state: state)
                // Every pair is in its group's first or later list, so this does not happen; if it did, the
                // pair's words were never written: admit rather than read them.
                if !prefilterDone[pair] { return true }
            }
            guard let bits = prefilterBits else { return true }
            if bits[pair &* words &+ word] & mask == mask { return true }
        }
        return false
    }

    /// Computes `pair` (not computed yet) with the other pairs of its group that are computed with it (see
    /// `Group.firstPairs`).
    private func computePrefilterPair(_ pair: Int, prefilter: RulePrefilter, state: PrefilterState) {
        // The group is read in place: a copy of the `Group` value retained and released its target and arrays.
        let index = prefilter.pairs.withUnsafeBufferPointer { $0[pair].group }
        var whole = -1
        let list = prefilter.groups.withUnsafeBufferPointer { groups -> [Int] in
            let first = groups[index].firstPairs.contains(pair)
            let candidates = first ? groups[index].firstPairs : groups[index].laterPairs
            // Usually none is done yet: pass the group's own array (no copy, no allocation per group).
            if candidates.contains(where: { prefilterDone[$0] }) { return candidates.filter { !prefilterDone[$0] } }
            whole = first ? 0 : 1
            return candidates
        }
        computePrefilterGroup(index, pairs: list, whole: whole, prefilter: prefilter, state: state)
    }

    /// Visits every value of a variable once and fills the bit sets of all its pairs.
    ///
    /// A value that none of a chain's trigger bytes occurs in is the same for that chain (up to case), so one
    /// scan of the raw value with the all-chains scanner, masked per chain, serves all such chains. Other chains
    /// run only the steps whose exact triggers occur in the current stage; the stages reached are memoized per
    /// value by the sequence of steps applied, so chains that differ only in steps that change nothing share
    /// one transformation and one scan (a user agent goes through the whitespace steps once, not once per
    /// decoding chain in front of them).
    ///
    /// When `pairs` is a whole list of the group (`whole`: 0 the first pairs, 1 the later ones), what each value
    /// contributes is also looked up in, and kept in, the state's `PrefilterMemo`: a value seen by an earlier
    /// transaction is neither transformed nor scanned again.
    private func computePrefilterGroup(
        _ index: Int, pairs groupPairs: [Int], whole: Int, prefilter: RulePrefilter, state: PrefilterState
    ) {
        let target = prefilter.groups.withUnsafeBufferPointer { $0[index].target }
        let words = prefilter.words
        prefilterComputed = true
        // The transaction's bit sets live in memory it owns (allocated once, freed with it), so the per-value
        // loop below works through plain pointers.
        let bits = state.bits
        for pair in groupPairs {
            prefilterDone[pair] = true
            for w in 0..<words { bits[pair &* words &+ w] = 0 }
        }
        if scanners == nil { scanners = prefilter.scanners }
        guard let scanners, index < prefilter.groupScanners.count, prefilter.groupScanners[index] < scanners.count
        else { return }
        let global = scanners[prefilter.groupScanners[index]]
        // The memo's tag for this (scanner set, group, list).
        let memoTag: UInt64? =
            whole >= 0 && state.hasMemo ? global.serial << 24 | UInt64(index) << 1 | UInt64(whole) : nil
        prefilter.pairChains.withUnsafeBufferPointer { chains in
            prefilter.chainTriggers.withUnsafeBufferPointer { triggers in
                prefilter.maskBits.withUnsafeBufferPointer { masks in
                    prefilter.maskWords.withUnsafeBufferPointer { maskWords in
                        prefilter.pairMaskStart.withUnsafeBufferPointer { maskStart in
                            prefilter.stepTriggers.withUnsafeBufferPointer { stepTriggers in
                                prefilter.chainCodes.withUnsafeBufferPointer { codes in
                                    prefilter.chainSteps.withUnsafeBufferPointer { steps in
                                        prefilter.chainStepStart.withUnsafeBufferPointer { stepStart in
                                            groupPairs.withUnsafeBufferPointer { pairs in
                                                forEachValue(of: target, exclusions: []) { _, _, value, _ in
                                                    // The raw bytes are borrowed once per value: passing the array
                                                    // to each pair's scan retained and released it per pair.
                                                    value.withUnsafeBufferPointer { raw in
                                                        var memoHash: UInt64 = 0
                                                        var remember = false
                                                        if let memoTag, raw.count <= PrefilterMemo.maxBytes {
                                                            memoHash = PrefilterMemo.hash(raw, tag: memoTag)
                                                            if state.memo.apply(
                                                                raw, hash: memoHash, tag: memoTag, into: bits)
                                                            {
                                                                return
                                                            }
                                                            state.memo.beginMiss()
                                                            remember = true
                                                        }
                                                        let present = ByteSet(raw)
                                                        state.beginValue()
                                                        for pairIndex in pairs {
                                                            let chain = chains[pairIndex]
                                                            let out = bits + pairIndex &* words
                                                            var found: UnsafeMutablePointer<UInt64>
                                                            if triggers[chain].isDisjoint(with: present) {
                                                                found = state.rawBits(
                                                                    raw, present: present, scanner: global, words: words
                                                                )
                                                            } else {
                                                                let range = stepStart[chain]..<stepStart[chain &+ 1]
                                                                found = stage(
                                                                    of: value, raw: raw, present: present,
                                                                    codes: UnsafeBufferPointer(rebasing: codes[range]),
                                                                    steps: UnsafeBufferPointer(rebasing: steps[range]),
                                                                    stepTriggers: stepTriggers, state: state,
                                                                    scanner: global, words: words)
                                                            }
                                                            for k in maskStart[pairIndex]..<maskStart[pairIndex &+ 1] {
                                                                let w = maskWords[k]
                                                                let contribution = found[w] & masks[k]
                                                                out[w] |= contribution
                                                                if remember && contribution != 0 {
                                                                    state.memo.note(
                                                                        offset: pairIndex &* words &+ w,
                                                                        bits: contribution)
                                                                }
                                                            }
                                                        }
                                                        if let memoTag, remember {
                                                            state.memo.store(raw, hash: memoHash, tag: memoTag)
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
                }
            }
        }
    }

    /// The scanned bits of `value` (`raw` is its bytes) after the steps of one chain whose exact triggers occur
    /// (memoized per value). The current stage is the raw value (`entry` -1) or a memo entry: it is only
    /// materialized as an array when a step is applied to it.
    private func stage(
        of value: [UInt8], raw: UnsafeBufferPointer<UInt8>, present: ByteSet, codes: UnsafeBufferPointer<UInt8>,
        steps: UnsafeBufferPointer<Transformation>,
        stepTriggers: UnsafeBufferPointer<ByteSet>, state: PrefilterState, scanner: LiteralScanner, words: Int
    ) -> UnsafeMutablePointer<UInt64> {
        var key: UInt64 = 0
        var set = present
        var entry = -1
        for (position, code) in codes.enumerated() {
            guard !stepTriggers[Int(code)].isDisjoint(with: set) else { continue }
            // Keys hold up to ten 6-bit codes; a longer effective chain is computed without the memo.
            let memoizable = key < (1 << 54)
            let nextKey = memoizable ? key << 6 | UInt64(code) : UInt64.max
            if memoizable, let hit = state.memoIndex(nextKey) {
                entry = hit
                set = state.memoSet(hit)
            } else {
                let next: [UInt8]
                if entry < 0 {
                    next = steps[position].apply(value)
                    // A step that changed nothing (normalizePath on a dotted name) leaves the same stage: no new
                    // entry, no new scan, and the key stays that of the stage.
                    if next == value { continue }
                } else {
                    guard let changed = state.apply(steps[position], toEntry: entry) else { continue }
                    next = changed
                }
                if let same = state.memoEntry(withOutput: next) {
                    // Another step sequence already produced these bytes: share its scan.
                    entry = same
                    set = state.memoSet(same)
                    if memoizable { state.alias(nextKey, to: same) }
                } else {
                    set = next.withUnsafeBufferPointer { ByteSet($0) }
                    entry = state.memoize(nextKey, output: next, set: set)
                }
            }
            key = nextKey
        }
        if entry < 0 { return state.rawBits(raw, present: present, scanner: scanner, words: words) }
        return state.scannedBits(entry, scanner: scanner, words: words)
    }
}

/// The prefilter's per-transaction bit sets, in memory allocated once, and the per-value memo of transformed
/// stages. Owned by one transaction at a time; between transactions it rests in its prefilter's pool
/// (`RulePrefilter.takeState()` and `recycle(_:)`), handed over under the pool's lock: that is why it is
/// `@unchecked Sendable`.
final class PrefilterState: @unchecked Sendable {
    let bits: UnsafeMutablePointer<UInt64>
    /// Scanned bits: slot 0 for the raw value, slot 1 + i for memo entry i.
    private var scanned: UnsafeMutablePointer<UInt64>
    private var scannedCapacity: Int
    private let words: Int
    private var rawDone = false
    private(set) var memoKeys: [UInt64] = []
    private(set) var memoOutputs: [[UInt8]] = []
    private(set) var memoSets: [ByteSet] = []
    private var memoScanned: [Bool] = []
    private var aliasKeys: [UInt64] = []
    private var aliasEntries: [Int] = []

    /// What recent values contributed (kept across the transactions that use this state), if this state has one.
    var memo = PrefilterMemo()
    let hasMemo: Bool

    init(bits count: Int, scratch words: Int, memo: Bool = true) {
        hasMemo = memo
        self.words = max(words, 1)
        // Not zeroed: a pair's words are written (cleared, then filled) when it is computed, and read only
        // after that (`prefilterDone`). With CRS that is 357 pairs of 10 words, 28 KiB a request would clear
        // mostly for nothing (a request computes about 40 pairs).
        bits = UnsafeMutablePointer<UInt64>.allocate(capacity: max(count, 1))
        scannedCapacity = 8
        scanned = UnsafeMutablePointer<UInt64>.allocate(capacity: scannedCapacity * self.words)
        scanned.initialize(repeating: 0, count: scannedCapacity * self.words)
    }

    deinit {
        bits.deallocate()
        scanned.deallocate()
        memo.deallocate()
    }

    /// Forgets the memo (a new value).
    func beginValue() {
        rawDone = false
        if !memoKeys.isEmpty {
            memoKeys.removeAll(keepingCapacity: true)
            memoOutputs.removeAll(keepingCapacity: true)
            memoSets.removeAll(keepingCapacity: true)
            memoScanned.removeAll(keepingCapacity: true)
        }
        if !aliasKeys.isEmpty {
            aliasKeys.removeAll(keepingCapacity: true)
            aliasEntries.removeAll(keepingCapacity: true)
        }
    }

    func memoIndex(_ key: UInt64) -> Int? {
        guard key != UInt64.max else { return nil }
        for i in memoKeys.indices where memoKeys[i] == key { return i }
        for i in aliasKeys.indices where aliasKeys[i] == key { return aliasEntries[i] }
        return nil
    }

    /// The memo entry whose output is `output`, if any (a handful of entries per value).
    func memoEntry(withOutput output: [UInt8]) -> Int? {
        memoOutputs.withUnsafeBufferPointer { outputs in
            for i in outputs.indices where outputs[i].count == output.count && outputs[i] == output { return i }
            return nil
        }
    }

    /// The byte set of memo entry `index`.
    func memoSet(_ index: Int) -> ByteSet { memoSets.withUnsafeBufferPointer { $0[index] } }

    /// `step` applied to memo entry `index`'s output, or nil when it changes nothing.
    func apply(_ step: Transformation, toEntry index: Int) -> [UInt8]? {
        memoOutputs.withUnsafeBufferPointer { outputs in
            let next = step.apply(outputs[index])
            return next == outputs[index] ? nil : next
        }
    }

    /// Records that step sequence `key` reaches memo entry `entry`.
    func alias(_ key: UInt64, to entry: Int) {
        aliasKeys.append(key)
        aliasEntries.append(entry)
    }

    func memoize(_ key: UInt64, output: [UInt8], set: ByteSet) -> Int {
        memoKeys.append(key)
        memoOutputs.append(output)
        memoSets.append(set)
        memoScanned.append(false)
        let needed = memoKeys.count + 1
        if needed > scannedCapacity {
            let grown = UnsafeMutablePointer<UInt64>.allocate(capacity: needed * 2 * words)
            grown.initialize(repeating: 0, count: needed * 2 * words)
            grown.update(from: scanned, count: scannedCapacity * words)
            scanned.deallocate()
            scanned = grown
            scannedCapacity = needed * 2
        }
        return memoKeys.count - 1
    }

    /// The bits of the raw value, scanned on first use per value.
    func rawBits(
        _ value: UnsafeBufferPointer<UInt8>, present: ByteSet, scanner: LiteralScanner, words: Int
    ) -> UnsafeMutablePointer<UInt64> {
        if !rawDone {
            rawDone = true
            for w in 0..<words { scanned[w] = 0 }
            scanner.scan(value, present: present, into: scanned)
        }
        return scanned
    }

    @inline(never)
    private func scan(_ index: Int, into slot: UnsafeMutablePointer<UInt64>, scanner: LiteralScanner, words: Int) {
        memoScanned[index] = true
        for w in 0..<words { slot[w] = 0 }
        memoOutputs[index].withUnsafeBufferPointer { scanner.scan($0, present: memoSets[index], into: slot) }
    }

    /// The bits of memo entry `index`, scanned on first use.
    func scannedBits(_ index: Int, scanner: LiteralScanner, words: Int) -> UnsafeMutablePointer<UInt64> {
        let slot = scanned + (index + 1) * words
        if !memoScanned[index] { scan(index, into: slot, scanner: scanner, words: words) }
        return slot
    }
}
