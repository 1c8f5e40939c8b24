/// A compiled operator with its negation.
package struct CompiledOperator: Sendable {
    package var name: String
    package var argument: String
    package var negated: Bool
    package var implementation: any RuleOperator
}

/// One SecRule/SecAction (a chain link when `chainedFrom` is set), immutable after load.
package struct Rule: Sendable {
    package var actions: RuleActions
    package var targets: [VariableTarget]
    /// `nil` for SecAction (always matches).
    package var op: CompiledOperator?
    /// Effective transformations (defaults merged), interned id for the per-request cache.
    package var transformations: [Transformation]
    package var transformationChainID: Int
    /// The following chain links (rule 2...n of a chain), empty when not a chain.
    package var chained: [Rule]
    package var file: String
    package var line: Int

    package var id: Int { actions.id ?? 0 }
}

/// An entry in a phase's ordered list.
package enum PhaseEntry: Sendable {
    case rule(CompiledRule)
    case marker(String)
}

/// A phase's rules as the evaluator runs them, without markers: each `skipAfter` is resolved at load to the
/// index where evaluation continues.
package final class PhaseProgram: Sendable {
    package let rules: [CompiledRule]
    /// Per rule: the index of the first rule after the first marker of its `skipAfter` name that follows it;
    /// `rules.count` (the end of the phase) when it has none or no such marker follows.
    package let skipAfterTargets: [Int]
    /// Per rule: its outcome when known at load (see `ConstantSetup`), else nil (evaluate).
    let gates: [Gate?]
    /// Per rule: a decided gate whose skipped rules' literals the transaction's scanners may lack (when it does
    /// not apply, the transaction goes back to the full scanners).
    let guards: [Bool]

    enum Gate: Sendable {
        case noMatch
        case match(name: [UInt8], value: [UInt8])
    }

    package convenience init(_ entries: [PhaseEntry]) { self.init(entries, gates: nil, guards: nil) }

    init(_ entries: [PhaseEntry], gates: [Gate?]?, guards: [Bool]?) {
        var rules: [CompiledRule] = []
        for case .rule(let rule) in entries { rules.append(rule) }
        var targets = Array(repeating: rules.count, count: rules.count)
        // Backwards: `following[name]` is the rule index just after the nearest marker of that name ahead.
        var following: [String: Int] = [:]
        var index = rules.count
        for entry in entries.reversed() {
            switch entry {
            case .marker(let name):
                following[name] = index
            case .rule(let rule):
                index -= 1
                if let name = rule.actions.skipAfter, let target = following[name] { targets[index] = target }
            }
        }
        self.rules = rules
        self.skipAfterTargets = targets
        self.gates = gates ?? Array(repeating: nil, count: rules.count)
        self.guards = guards ?? Array(repeating: false, count: rules.count)
        unmanagedRules = rules.map { Unmanaged.passUnretained($0) }
        flags = zip(self.gates, self.guards).map { gate, guarding in
            var flag: UInt8 = guarding ? Self.guardFlag : 0
            switch gate {
            case nil: break
            case .noMatch?: flag |= Self.noMatchFlag
            case .match?: flag |= Self.matchFlag
            }
            return flag
        }
    }

    /// `rules` without reference counting, for the rule loop (`rules` keeps them alive).
    let unmanagedRules: [Unmanaged<CompiledRule>]
    /// Per rule, `gates` and `guards` as bits: read per rule without copying a `Gate`.
    let flags: [UInt8]
    static let noMatchFlag: UInt8 = 1
    static let matchFlag: UInt8 = 2
    static let guardFlag: UInt8 = 4
}

/// A rule as the evaluator sees it: immutable, shared by reference (no struct copies in the rule loop),
/// with its targets split into inclusions and `!` exclusions at load.
package final class CompiledRule: Sendable {
    package let actions: RuleActions
    package let targets: [VariableTarget]
    /// `targets`, borrowed by the value loop without reference counting (the array above keeps them alive).
    let unmanagedTargets: [Unmanaged<VariableTarget>]
    package let exclusions: [VariableTarget]
    package let op: CompiledOperator?
    package let transformations: [Transformation]
    package let transformationChainID: Int
    package let chained: [CompiledRule]
    package let file: String
    package let line: Int
    package let id: Int
    // Flattened for the hot loop (no struct copies per value).
    package let matcher: (any RuleOperator)?
    package let negated: Bool
    package let capture: Bool
    package let multiMatch: Bool
    package let tags: Set<String>
    package let messageText: String?
    /// The word of the rule's bits in the ruleset's literal prefilter, or -1 when the prefilter does not cover it.
    package let prefilterWord: Int
    /// The rule's bits within that word (one per required clause).
    package let prefilterMask: UInt64
    /// The prefilter pairs (chain, variable) the rule reads; empty when not covered.
    package let prefilterPairs: [Int]
    /// Per target: its pairs (see `RulePrefilter.Slot.targetPairs`); empty when not covered.
    package let prefilterTargetPairs: [[Int]]
    /// Set when the link only compares one `TX:key` (or `&TX:key`) with a number: CRS's paranoia-level gates,
    /// initialisation checks and score thresholds, evaluated without the value visitor.
    let txCompare: TXCompare?
    /// Whether a full match is logged: the rule's `log`/`nolog`, else its phase's `SecDefaultAction`, else yes.
    package let logged: Bool
    /// The disruptive action of a full match, `block` resolved through the phase's `SecDefaultAction` (`deny`
    /// when that says `block` too), and its status.
    package let effectiveAction: DisruptiveAction
    package let effectiveStatus: Int?
    /// Whether this rule or a chain link has `ctl:` actions.
    package let hasControls: Bool
    /// Whether the operator's argument has `%{...}` macros (the engine then gives it its expanders).
    let operatorUsesMacros: Bool
    /// Position among the ruleset's top-level rules (bit index in `RuleSet.tagRules`); -1 for chain links.
    package let ordinal: Int

    /// `defaults`: the last `SecDefaultAction` of the rule's phase (nil for chain links, which take the
    /// disruptive and logging actions of their chain's first rule).
    package init(_ rule: Rule, prefilter: RulePrefilter.Slot? = nil, defaults: RuleActions? = nil, ordinal: Int = -1) {
        self.ordinal = ordinal
        logged = rule.actions.log ?? defaults?.log ?? true
        var action = rule.actions.disruptive ?? defaults?.disruptive ?? .pass
        var status = rule.actions.status
        if action == .block {
            action = defaults?.disruptive ?? .pass
            if action == .block { action = .deny }
            status = status ?? defaults?.status
        }
        effectiveAction = action
        effectiveStatus = status
        hasControls = !rule.actions.controls.isEmpty || rule.chained.contains { !$0.actions.controls.isEmpty }
        prefilterWord = prefilter?.word ?? -1
        prefilterMask = prefilter?.mask ?? 0
        prefilterPairs = prefilter?.pairs ?? []
        prefilterTargetPairs = prefilter?.targetPairs ?? []
        tags = Set(rule.actions.tags)
        messageText = rule.actions.message?.text
        matcher = rule.op?.implementation
        operatorUsesMacros = Array((rule.op?.argument ?? "").utf8).containsMacro
        negated = rule.op?.negated ?? false
        capture = rule.actions.capture
        multiMatch = rule.actions.multiMatch
        actions = rule.actions
        targets = rule.targets.filter { !$0.exclude }
        unmanagedTargets = targets.map { Unmanaged.passUnretained($0) }
        exclusions = rule.targets.filter(\.exclude)
        op = rule.op
        transformations = rule.transformations
        transformationChainID = rule.transformationChainID
        chained = rule.chained.map { CompiledRule($0) }
        file = rule.file
        line = rule.line
        id = rule.id
        txCompare = TXCompare(rule, targets: targets, exclusions: exclusions)
    }
}

/// A numeric comparison of one TX value (see `CompiledRule.txCompare`).
struct TXCompare: Sendable {
    /// The lowercase key.
    let key: [UInt8]
    /// `KeyedStore.hash(key)`, computed at load.
    let keyHash: UInt64
    /// `&TX:key`: 1 when the key is set, 0 when not.
    let count: Bool
    let comparison: NumericCompareOperator.Comparison
    /// The right-hand side: a constant, or macros expanded per evaluation.
    let constant: Int64
    let macro: MacroString?
    /// MATCHED_VAR_NAME on a match.
    let name: [UInt8]

    /// The value compared, read from TX (`&TX:key`: 1 or 0); nil when the key is absent (no match).
    func subject(in tx: KeyedStore?) -> [UInt8]? {
        let stored = tx?[lowercased: key, hash: keyHash]
        if count { return stored == nil ? Transaction.zeroBytes : Transaction.oneBytes }
        return stored
    }

    init?(_ rule: Rule, targets: [VariableTarget], exclusions: [VariableTarget]) {
        guard targets.count == 1, exclusions.isEmpty, rule.transformations.isEmpty, !rule.actions.capture,
            let target = targets.first, target.variable == .tx, let key = target.literalKey,
            let numeric = rule.op?.implementation as? NumericCompareOperator
        else { return nil }
        if numeric.argument.hasMacros {
            guard let macro = try? MacroString(parsing: numeric.argument.text) else { return nil }
            self.macro = macro
        } else {
            macro = nil
        }
        self.key = key
        keyHash = KeyedStore.hash(key)
        count = target.count
        comparison = numeric.comparison
        constant = numeric.constant
        name = TargetValue(variable: .tx, key: target.count ? nil : key, value: []).name
    }
}
