import Synchronization

/// Load-time literal prefilter over a whole ruleset: lets a transaction skip, without visiting any value,
/// every `@rx`/`@pm` rule none of whose required literals occurs in its targets.
///
/// At load each eligible rule gets a bit, and each (transformation chain, variable) it reads gets a "pair".
/// Per chain one `LiteralScanner` holds the literals of every eligible rule with that chain. In a phase, the
/// first eligible rule that reads a pair scans every value of the variable (transformed by the chain, through
/// the transaction's transformation cache) once, ORing rule bits; every later rule on that pair tests one bit.
/// A rule whose bit is clear in all its pairs cannot match and is skipped; otherwise it runs as usual and
/// PCRE2 decides. The union over all values of a variable is a superset of what any key selector or exclusion
/// leaves, so selectors and exclusions never make the prefilter unsafe.
///
/// Eligible: the first link of a rule (its chain cannot match if that link does not) with a non-negated
/// `@rx` whose pattern yields required literals (`RegexLiterals`) or `@pm`/`@pmFromFile`, no `multiMatch`,
/// and only targets whose values cannot change during a phase (request and response data, not TX or
/// MATCHED_VAR) and are not counts.
package final class RulePrefilter: Sendable {
    /// One (chain, variable) pair: the values to scan and how to transform them.
    package struct Pair: Sendable {
        package let chainID: Int
        /// The variable group (all pairs of one variable are computed in one pass over its values).
        package let group: Int
        package let transformations: [Transformation]
        /// Key-less for a whole collection; the rule's own target when keyed (a header name, an XPath).
        package let target: VariableTarget
    }

    /// One variable (and XPath for XML): the values to visit and the pairs computed from them.
    package struct Group: Sendable {
        package let target: VariableTarget
        package let pairs: [Int]
        /// The pairs read by rules without a `paranoia-level/2`-`/4` tag, computed together on first use; the
        /// others (`laterPairs`) in a second pass only if such a rule runs. At paranoia level 1, CRS skips
        /// its higher-level rules with `skipAfter`, so their transformation chains are never needed.
        package let firstPairs: [Int]
        package let laterPairs: [Int]
    }

    package let pairs: [Pair]
    package let groups: [Group]
    /// The literals of the eligible rules, for every chain: a scan reports the bits of all rules whose literal
    /// occurs, and each pair keeps those of its own rules (`maskBits`). Two scanners: one with the literals of
    /// rules that read request data, one for response data (CRS's response rules bring large error-message
    /// lists that request values need not be scanned for: smaller tables, fewer flagged positions per byte).
    var scanners: [LiteralScanner] {
        builtScanners.withLock { built in
            if let built { return built }
            let made = restrictedScanners(keeping: nil)
            built = made
            return made
        }
    }
    /// `scanners`, built on first use: a transaction that runs a `ConstantSetup` uses that set-up's own (see
    /// `restrictedScanners(keeping:)`), so in the proxy these are built only when a transaction runs the rules
    /// as written.
    private let builtScanners = Mutex<[LiteralScanner]?>(nil)
    /// Bit sets of finished transactions, reused by the next ones: with CRS a set is 357 pairs of 10 words
    /// (28 KiB), and allocating it per request cost a large malloc, its free and a heap consolidation.
    private let statePool = Mutex<[PrefilterState]>([])
    /// Most sets kept in the pool (about one per transaction in flight between phases 1 and 2).
    private static let statePoolLimit = 64

    /// How many of the states alive have a `PrefilterMemo` (at most `memoLimit`).
    private let memoStates = Mutex<Int>(0)
    /// Most states with a memo (about 320 KiB each): a worker mostly reuses one state, since a request without
    /// a body returns it before the next one starts; states beyond these (bodies arriving slowly) go without.
    static let memoLimit = 8

    /// A bit set for one transaction: a pooled one, or a new one.
    func takeState() -> PrefilterState {
        if let pooled = statePool.withLock({ $0.popLast() }) { return pooled }
        let memo = memoStates.withLock { count in
            guard count < Self.memoLimit else { return false }
            count += 1
            return true
        }
        return PrefilterState(bits: pairs.count * words, scratch: words, memo: memo)
    }

    /// Returns a transaction's set to the pool (the transaction no longer uses it). Its bits need no clearing:
    /// a pair's words are written before they are read (`prefilterDone`); its per-value stages are emptied here,
    /// its `PrefilterMemo` is kept for the next transaction.
    func recycle(_ state: PrefilterState) {
        state.beginValue()
        let kept = statePool.withLock { pool in
            guard pool.count < Self.statePoolLimit else { return false }
            pool.append(state)
            return true
        }
        if !kept && state.hasMemo { memoStates.withLock { $0 -= 1 } }
    }
    /// Per group: its scanner in `scanners`.
    let groupScanners: [Int]
    /// Per scanner: the bits of its side.
    let sideBits: [[UInt64]]
    /// Every (literal, bit), flat: literal i is `patternBytes[patternEnds[i - 1] ..< patternEnds[i]]` (to build
    /// scanners for a subset of the rules, see `scanners(keeping:)`).
    private let patternBytes: [UInt8]
    private let patternEnds: [Int32]
    private let patternBits: [Int32]
    /// Per pair: the words holding bits of the rules that read it, and those bits (`pairMaskStart[p]..<
    /// pairMaskStart[p + 1]` in `maskWords`/`maskBits`): a value's scan is kept only where a rule of the pair
    /// can use it, a few words rather than all of them.
    let pairMaskStart: [Int]
    let maskWords: [Int]
    let maskBits: [UInt64]
    /// Per chain: bytes that may make the chain change a value (see `Transformation.prefilterTriggers`).
    let chainTriggers: [ByteSet]
    package let bitCount: Int
    package let words: Int
    /// `pairs[i].chainID`, flat (read per value without copying a `Pair`).
    let pairChains: [Int]
    /// Per chain id: its transformations, `chainSteps[chainStepStart[c] ..< chainStepStart[c + 1]]` (flat: the
    /// per-value loop reads them without taking a reference to an inner array).
    let chainSteps: [Transformation]
    /// The same as codes (1 + the case's index in `Transformation.allCases`).
    let chainCodes: [UInt8]
    let chainStepStart: [Int]
    /// Per transformation code: `exactTriggers`.
    let stepTriggers: [ByteSet]
    /// The pairs whose values a later phase can change (`changesAfterPhaseOne`): the only ones a new phase
    /// computes again.
    let changingPairs: [Int]

    init(
        pairs: [Pair], groups: [Group], chainCount: Int, patterns: [(literal: [UInt8], bit: Int)],
        groupScanners: [Int], sideBits: [[UInt64]], pairMasks: [[(word: Int, bits: UInt64)]],
        chainTriggers: [ByteSet], bitCount: Int, words: Int
    ) {
        self.pairs = pairs
        self.groups = groups
        self.groupScanners = groupScanners
        self.sideBits = sideBits
        var bytes: [UInt8] = []
        var ends: [Int32] = []
        for pattern in patterns {
            bytes += pattern.literal
            ends.append(Int32(bytes.count))
        }
        patternBytes = bytes
        patternEnds = ends
        patternBits = patterns.map { Int32($0.bit) }

        var start = [0]
        var maskWords: [Int] = []
        var maskBits: [UInt64] = []
        for list in pairMasks {
            for entry in list.sorted(by: { $0.word < $1.word }) {
                maskWords.append(entry.word)
                maskBits.append(entry.bits)
            }
            start.append(maskWords.count)
        }
        while start.count < pairs.count + 1 { start.append(maskWords.count) }
        pairMaskStart = start
        self.maskWords = maskWords
        self.maskBits = maskBits
        self.chainTriggers = chainTriggers
        self.bitCount = bitCount
        self.words = words
        pairChains = pairs.map(\.chainID)
        var steps = [[Transformation]](repeating: [], count: chainCount)
        for pair in pairs where pair.chainID < steps.count { steps[pair.chainID] = pair.transformations }
        chainSteps = Array(steps.joined())
        chainCodes = chainSteps.map { UInt8(Transformation.allCases.firstIndex(of: $0) ?? 0) + 1 }
        chainStepStart = steps.reduce(into: [0]) { starts, chain in
            starts.append(starts[starts.count - 1] + chain.count)
        }
        stepTriggers = [ByteSet()] + Transformation.allCases.map(\.exactTriggers)
        changingPairs = pairs.indices.filter { Self.changesAfterPhaseOne(pairs[$0].target.variable) }
    }

    deinit {
        builtScanners.withLock { built in built?.forEach { $0.deallocate() } }
    }

    static let empty = RulePrefilter(
        pairs: [], groups: [], chainCount: 0, patterns: [], groupScanners: [], sideBits: [], pairMasks: [],
        chainTriggers: [], bitCount: 0, words: 0)

    /// Per side, a scanner of the literals whose bit is in `live` (all when nil). The caller deallocates them.
    func restrictedScanners(keeping live: [UInt64]?) -> [LiteralScanner] {
        var patterns: [(literal: [UInt8], bit: Int)] = []
        var start = 0
        for i in patternEnds.indices {
            let end = Int(patternEnds[i])
            let bit = Int(patternBits[i])
            if live?.contains(ordinal: bit) ?? true { patterns.append((Array(patternBytes[start..<end]), bit)) }
            start = end
        }
        return sideBits.indices.map { side in
            LiteralScanner(patterns: patterns.filter { sideBits[side].contains(ordinal: $0.bit) }, words: words)
        }
    }

    /// Whether a group's values come from the response (phases 3 and 4).
    static func isResponse(_ variable: Variable) -> Bool {
        switch variable {
        case .responseBody, .responseHeaders, .responseHeadersNames, .responseStatus, .responseProtocol: true
        default: false
        }
    }

    /// What a rule keeps: its bits (one per clause, all in one word) and the pairs to test. The rule may match
    /// only if, in some pair, every one of its bits is set.
    package struct Slot: Sendable {
        package let word: Int
        package let mask: UInt64
        package let pairs: [Int]
        /// Per included target (in the rule's order): its pairs. A target none of whose pairs holds every bit
        /// has no value that can match, so the rule does not visit it.
        package let targetPairs: [[Int]]
    }

    /// Variables whose values are fixed for the length of a phase.
    static func isPhaseStable(_ v: Variable) -> Bool {
        switch v {
        case .args, .argsNames, .argsGet, .argsGetNames, .argsPost, .argsPostNames, .requestHeaders,
            .requestHeadersNames, .requestCookies, .requestCookiesNames, .requestFilename, .requestBasename,
            .requestURI, .requestURIRaw, .requestLine, .requestMethod, .requestProtocol, .queryString, .requestBody,
            .files, .filesNames, .xml, .responseHeaders, .responseHeadersNames, .responseBody:
            return true
        default:
            return false
        }
    }

    /// Whether a phase after the first can change the values of `v` (of the phase-stable variables): the
    /// request body adds arguments, files, XML and the body itself, phase 4 adds the response body. Headers,
    /// cookies, the request line and the response headers are the same in every phase that sees them. Also
    /// what the request body's processing drops from the transformation cache (`Transaction.bodyIndependent`).
    static func changesAfterPhaseOne(_ v: Variable) -> Bool {
        switch v {
        case .args, .argsNames, .argsPost, .argsPostNames, .requestBody, .files, .filesNames, .xml, .responseBody:
            return true
        default:
            return !isPhaseStable(v)
        }
    }

    struct Builder {
        var pairIDs: [String: Int] = [:]
        var groupIDs: [String: Int] = [:]
        var groupTargets: [VariableTarget] = []
        var groupPairs: [[Int]] = []
        /// Pairs read by at least one rule without a higher paranoia-level tag.
        var firstPairs = Set<Int>()
        var pairs: [Pair] = []
        var chains: [Int: [Transformation]] = [:]
        var literals: [Int: [(literal: [UInt8], bit: Int)]] = [:]
        /// Per pair: word -> the bits of the rules that read the pair.
        var pairBits: [Int: [Int: UInt64]] = [:]
        var bitCount = 0
        let enabled: Bool
        /// Transformation chain ids: the loader's, plus the prefixes of `multiMatch` rules' chains.
        var chainIDs: [String: Int]
        var chainCount: Int { chainIDs.count }

        init(enabled: Bool = true, chainIDs: [String: Int]) {
            self.enabled = enabled
            self.chainIDs = chainIDs
        }

        mutating func internChain(_ chain: [Transformation]) -> Int {
            let key = chain.map(\.rawValue).joined(separator: ",")
            if let id = chainIDs[key] { return id }
            let id = chainIDs.count
            chainIDs[key] = id
            return id
        }

        /// Assigns bits to `rule` if it is eligible; returns its slot.
        mutating func add(_ rule: Rule) -> Slot? {
            guard enabled, let op = rule.op, !op.negated else { return nil }
            let clauses: [[[UInt8]]]?
            if let rx = op.implementation as? RxOperator {
                clauses = RegexLiterals.requiredClauses(rx.pattern)
            } else if let pm = op.implementation as? PmOperator {
                clauses = pm.phrases.isEmpty || pm.phrases.contains(where: \.isEmpty) ? nil : [pm.phrases]
            } else {
                clauses = Self.byteClause(op.implementation).map { [$0] }
            }
            guard let clauses, !clauses.isEmpty, clauses.count <= 64 else { return nil }
            let included = rule.targets.filter { !$0.exclude }
            guard !included.isEmpty else { return nil }
            for target in included where target.count || !RulePrefilter.isPhaseStable(target.variable) {
                return nil
            }
            // The chains whose output the operator sees: the rule's own, or with multiMatch every stage (the raw
            // value and each prefix of the chain).
            var stages: [(id: Int, steps: [Transformation])] = []
            if rule.actions.multiMatch && !rule.transformations.isEmpty {
                for length in 0...rule.transformations.count {
                    let steps = Array(rule.transformations.prefix(length))
                    stages.append((internChain(steps), steps))
                }
            } else {
                stages.append((rule.transformationChainID, rule.transformations))
            }
            // The rule's bits, all in one word.
            if bitCount % 64 + clauses.count > 64 { bitCount = (bitCount / 64 + 1) * 64 }
            let first = bitCount
            bitCount += clauses.count
            var ids: [Int] = []
            var targetPairs = [[Int]](repeating: [], count: included.count)
            for stage in stages {
                for (index, clause) in clauses.enumerated() {
                    for literal in clause { literals[stage.id, default: []].append((literal, first + index)) }
                }
                for (position, target) in included.enumerated() {
                    let id = pair(chainID: stage.id, steps: stage.steps, target: target)
                    if !ids.contains(id) { ids.append(id) }
                    if !targetPairs[position].contains(id) { targetPairs[position].append(id) }
                }
            }
            var mask: UInt64 = 0
            for index in 0..<clauses.count { mask |= 1 << UInt64((first + index) & 63) }
            for id in ids { pairBits[id, default: [:]][first >> 6, default: 0] |= mask }
            let higherLevel = rule.actions.tags.contains {
                $0 == "paranoia-level/2" || $0 == "paranoia-level/3" || $0 == "paranoia-level/4"
            }
            if !higherLevel { firstPairs.formUnion(ids) }
            return Slot(word: first >> 6, mask: mask, pairs: ids, targetPairs: targetPairs)
        }

        /// Operators that cannot match a value without one of a few bytes: a clause of one-byte literals (looked up
        /// in the bytes present in the value, see `LiteralScanner`).
        /// - `@detectXSS`: every pattern of `XSSDetector` needs `<`, `=` or `:` (its own first test).
        /// - `@detectSQLi`: a value of only letters, digits, `_` and `.` is never an injection (its first test).
        /// - `@validateByteRange`: matches exactly the values holding a byte outside the allowed set.
        static func byteClause(_ op: any RuleOperator) -> [[UInt8]]? {
            let bytes: [UInt8]
            if op is DetectXSSOperator {
                bytes = Array("<=:".utf8)
            } else if op is DetectSQLiOperator {
                bytes = (0...255).map(UInt8.init).filter {
                    !(ByteSearch.isAlpha($0) || ByteSearch.isDigit($0) || $0 == 0x5F || $0 == 0x2E)
                }
            } else if let range = op as? ValidateByteRangeOperator {
                bytes = (0...255).filter { !range.allowed[$0] }.map(UInt8.init)
            } else {
                return nil
            }
            return bytes.isEmpty ? nil : bytes.map { [$0] }
        }

        /// The pair of (chain, target variable), created on first use.
        mutating func pair(chainID: Int, steps: [Transformation], target: VariableTarget) -> Int {
            // A keyed target (REQUEST_HEADERS:User-Agent, XML:/*) is its own group: only its values are scanned.
            let keyText = target.hasKey ? target.text : ""
            let key = "\(chainID)|\(target.variable.rawValue)|\(keyText)"
            let id: Int
            if let existing = pairIDs[key] {
                id = existing
            } else {
                id = pairs.count
                pairIDs[key] = id
                let groupKey = "\(target.variable.rawValue)|\(keyText)"
                let group: Int
                if let existing = groupIDs[groupKey] {
                    group = existing
                } else {
                    group = groupTargets.count
                    groupIDs[groupKey] = group
                    groupTargets.append(
                        target.hasKey
                            ? target
                            : VariableTarget(
                                variable: target.variable, key: nil, count: false, exclude: false,
                                text: target.variable.rawValue))
                    groupPairs.append([])
                }
                groupPairs[group].append(id)
                chains[chainID] = steps
                pairs.append(
                    Pair(chainID: chainID, group: group, transformations: steps, target: groupTargets[group]))
            }
            return id
        }

        func build() -> RulePrefilter {
            guard bitCount > 0 else { return .empty }
            let words = (bitCount + 63) / 64
            var all: [(literal: [UInt8], bit: Int)] = []
            for (chain, list) in literals.sorted(by: { $0.key < $1.key }) where chain < chainCount { all += list }
            let masks = pairs.indices.map { id in (pairBits[id] ?? [:]).map { (word: $0.key, bits: $0.value) } }
            var triggers = [ByteSet](repeating: .all, count: chainCount)
            for (chain, steps) in chains where chain < chainCount {
                var set = ByteSet()
                for step in steps { set.formUnion(step.prefilterTriggers) }
                triggers[chain] = set
            }
            let groups = groupTargets.indices.map { index in
                let pairs = groupPairs[index]
                return Group(
                    target: groupTargets[index], pairs: pairs, firstPairs: pairs.filter { firstPairs.contains($0) },
                    laterPairs: pairs.filter { !firstPairs.contains($0) })
            }
            // Per side (request, response): the bits its pairs keep, and a scanner of the literals with those bits.
            let sides = groups.map { RulePrefilter.isResponse($0.target.variable) ? 1 : 0 }
            var sideBits = [[UInt64]](repeating: Array(repeating: 0, count: words), count: 2)
            for (index, group) in groups.enumerated() {
                for pair in group.pairs {
                    for entry in masks[pair] { sideBits[sides[index]][entry.word] |= entry.bits }
                }
            }
            return RulePrefilter(
                pairs: pairs, groups: groups, chainCount: chainCount, patterns: all, groupScanners: sides,
                sideBits: sideBits, pairMasks: masks, chainTriggers: triggers, bitCount: bitCount, words: words)
        }
    }
}

/// A set of byte values (256 bits).
package struct ByteSet: Sendable {
    package var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    package init() {}

    package static let all: ByteSet = {
        var set = ByteSet()
        set.words = (~0, ~0, ~0, ~0)
        return set
    }()

    @inline(__always)
    package mutating func insert(_ byte: UInt8) {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    package mutating func formUnion(_ other: ByteSet) {
        words = (words.0 | other.words.0, words.1 | other.words.1, words.2 | other.words.2, words.3 | other.words.3)
    }

    @inline(__always)
    package func isDisjoint(with other: ByteSet) -> Bool {
        (words.0 & other.words.0) | (words.1 & other.words.1) | (words.2 & other.words.2)
            | (words.3 & other.words.3) == 0
    }

    /// The bytes present in `input`.
    ///
    /// Two bytes per step into two sets of accumulators, each ASCII byte added without a branch (a conditional
    /// select per word). A `switch` on the byte's quarter compiled to an indirect jump per byte, which text that
    /// alternates letters with digits and punctuation mispredicts often (measured: 40 ns for a 45-byte header
    /// value, 26 ns this way). Bytes of 128 and above, rare in request values, take a branch.
    package init(_ input: UnsafeBufferPointer<UInt8>) {
        var a0: UInt64 = 0
        var a1: UInt64 = 0
        var b0: UInt64 = 0
        var b1: UInt64 = 0
        var w2: UInt64 = 0
        var w3: UInt64 = 0
        var i = 0
        let count = input.count
        while i &+ 1 < count {
            let x = input[i]
            let y = input[i &+ 1]
            let bitX = UInt64(1) << UInt64(x & 63)
            let bitY = UInt64(1) << UInt64(y & 63)
            let quarterX = x >> 6
            let quarterY = y >> 6
            a0 |= quarterX == 0 ? bitX : 0
            a1 |= quarterX == 1 ? bitX : 0
            b0 |= quarterY == 0 ? bitY : 0
            b1 |= quarterY == 1 ? bitY : 0
            if (x | y) >= 128 {
                if quarterX == 2 { w2 |= bitX } else if quarterX == 3 { w3 |= bitX }
                if quarterY == 2 { w2 |= bitY } else if quarterY == 3 { w3 |= bitY }
            }
            i &+= 2
        }
        if i < count {
            let x = input[i]
            let bitX = UInt64(1) << UInt64(x & 63)
            switch x >> 6 {
            case 0: a0 |= bitX
            case 1: a1 |= bitX
            case 2: w2 |= bitX
            default: w3 |= bitX
            }
        }
        words = (a0 | b0, a1 | b1, w2, w3)
    }

    init(bytes: [UInt8]) {
        for b in bytes { insert(b) }
    }
}

extension Transformation {
    /// Bytes without which this transformation returns its input exactly (`prefilterTriggers` plus the letters
    /// of case-changing steps): a step may be skipped on a value only when none of these occur in it, because
    /// later steps may treat letters differently by case (e.g. entity names, escape sequences).
    var exactTriggers: ByteSet {
        var set = prefilterTriggers
        switch self {
        case .lowercase, .cmdLine:
            for b in UInt8(ascii: "A")...UInt8(ascii: "Z") { set.insert(b) }
        case .uppercase:
            for b in UInt8(ascii: "a")...UInt8(ascii: "z") { set.insert(b) }
        default:
            break
        }
        return set
    }

    /// Bytes whose presence may make this transformation's output differ from its input other than in ASCII
    /// case (the prefilter scans case-insensitively). Without any of them in a value the transformation is the
    /// identity for the prefilter, so a chain of such steps can be skipped. Unlisted transformations: all bytes.
    var prefilterTriggers: ByteSet {
        let whitespace: [UInt8] = [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0]
        switch self {
        case .none, .lowercase, .uppercase:
            return ByteSet()
        case .urlDecode, .urlDecodeUni:
            return ByteSet(bytes: Array("%+".utf8))
        case .jsDecode, .cssDecode, .escapeSeqDecode:
            return ByteSet(bytes: [UInt8(ascii: "\\")])
        case .htmlEntityDecode:
            return ByteSet(bytes: [UInt8(ascii: "&")])
        case .utf8toUnicode:
            var set = ByteSet()
            for b in UInt8(0x80)...UInt8(0xFF) { set.insert(b) }
            return set
        case .removeNulls, .replaceNulls:
            return ByteSet(bytes: [0])
        case .removeWhitespace, .compressWhitespace, .trim, .trimLeft, .trimRight:
            return ByteSet(bytes: whitespace)
        case .cmdLine:
            return ByteSet(bytes: whitespace + Array("\\\"'^,;/(".utf8))
        case .replaceComments, .removeComments, .removeCommentsChar:
            return ByteSet(bytes: Array("/*-#".utf8))
        case .normalizePath, .normalizePathWin:
            return ByteSet(bytes: Array("/.\\".utf8))
        default:
            return .all
        }
    }
}
