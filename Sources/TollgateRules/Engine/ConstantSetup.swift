/// The part of a ruleset that is the same for every request, evaluated once at load.
///
/// CRS starts phase 1 with set-up that reads and writes only TX (REQUEST-901's defaults: `&TX:x "@eq 0"` then
/// `setvar`, and `SecAction`s), and gates every rule file with `TX:DETECTION_PARANOIA_LEVEL "@lt N"` plus
/// `skipAfter`. Both give the same result on every request, so:
///
/// - the **prelude**, the longest run of phase-1 rules from the start that read and write only TX (and do not
///   log, disrupt, skip by count or use `ctl`), is run at load on an empty request; each transaction starts
///   with its TX and MATCHED_VAR* state, and those rules are left out of phase 1. Rules in that run that touch
///   no TX and have no effect on other rules (`ctl:requestBodyProcessor=JSON` on a Content-Type) stay where
///   they are and run per request.
/// - a **gate**, a numeric comparison of one TX key that no remaining rule can write (no constant `setvar` key,
///   no `setvar` key with macros whose literal start could spell it, not TX:0-9 when some rule captures), has a
///   known outcome: the loop applies it (MATCHED_VAR*, `skipAfter`) without evaluating.
///
/// Rules that a decided gate always skips never run, so the prefilter's literal scanners are rebuilt without
/// their literals (CRS's paranoia level 2-4 rules bring most of them). Should such a gate not apply in a
/// transaction (removed by `ctl`), that transaction goes back to the full scanners.
///
/// Not used for a transaction whose options set TX variables (per-function paranoia levels): it runs the
/// ruleset as written. A rule removed at run time (`ctl:ruleRemoveById`) is still removed, and a gate whose
/// targets `ctl:ruleRemoveTarget*` changed is evaluated.
struct ConstantSetup: Sendable {
    /// TX after the prelude.
    let tx: KeyedStoreSnapshot
    let matchedVar: [UInt8]
    let matchedVarName: [UInt8]
    let visibleMatchedVars: [MatchedValue]
    /// The index in phase 1's program before which the matched state above applies (rules that stay in the
    /// prelude run first with their own).
    let matchedRestoreIndex: Int
    /// Per phase: the rules left to run, with the gates' outcomes.
    let programs: [PhaseProgram]
    /// Rules of the prelude (left out of phase 1), for tests and diagnostics.
    let preludeIDs: [Int]
    /// The prefilter's scanners without the literals of rules that never run.
    let scanners: OwnedScanners
    /// Rules that never run (skipped by a decided gate), for tests and diagnostics.
    let skippedIDs: [Int]

    typealias MatchedValue = (name: [UInt8], value: [UInt8])

    /// Evaluates the constant part of `ruleSet`, or nil when there is none.
    static func make(_ ruleSet: RuleSet) -> ConstantSetup? {
        guard ruleSet.programs.count > 1 else { return nil }
        // A throwaway transaction on an empty request: prelude rules read only TX.
        let engine = Engine(ruleSet: ruleSet, mode: .block, constantSetup: false)
        let transaction = engine.transaction(for: RequestInput(method: "GET", target: "/", headers: []))
        let phase1 = ruleSet.programs[1]
        var left = Set<ObjectIdentifier>()
        // The state before the rule being tried, to go back to when its match has effects beyond TX.
        var tx = KeyedStore()
        var matched = (transaction.matchedVar, transaction.matchedVarName, transaction.visibleMatchedVars)
        // Rules that stay (they read the request) and the TX keys they read and write: a later TX-only rule is
        // folded only when it neither reads what they write nor writes what they read or write.
        var stayed = TXKeys()
        // Where the matched state of the last folded match applies: before the first rule that stays after it.
        var lastMatchPosition = -1
        var stayerPositions: [Int] = []
        var i = 0
        while i < phase1.rules.count {
            let rule = phase1.rules[i]
            let keys = TXKeys(rule)
            if readsOnlyTX(rule), let keys, stayed.allowsFolding(keys) {
                let outcome = transaction.evaluate(rule, phase: 1)
                if outcome.matched && !matchEffectsOnlyTX(rule) {
                    // Such a rule folds only when it does not match (CRS's check that crs-setup.conf was loaded).
                    break
                }
                tx = (transaction.stores[.tx] ?? KeyedStore()).copy()
                matched = (transaction.matchedVar, transaction.matchedVarName, transaction.visibleMatchedVars)
                left.insert(ObjectIdentifier(rule))
                if outcome.matched { lastMatchPosition = i }
                if outcome.matched && rule.actions.skipAfter != nil {
                    // A jump taken on every request: the rules it passes over never run.
                    let target = phase1.skipAfterTargets[i]
                    for j in (i + 1)..<max(target, i + 1) { left.insert(ObjectIdentifier(phase1.rules[j])) }
                    i = target
                    continue
                }
            } else if let keys, staysInPlace(rule) {
                stayed.formUnion(keys)
                stayerPositions.append(i)
            } else {
                break
            }
            i += 1
        }
        let preludeEnd = i
        guard !left.isEmpty || hasGates(ruleSet) else { return nil }
        let written = WrittenKeys(ruleSet, except: left)
        var programs: [PhaseProgram] = []
        var skipped: [CompiledRule] = []
        for (phase, entries) in ruleSet.phases.enumerated() {
            let kept = entries.filter { entry in
                if case .rule(let rule) = entry { return !left.contains(ObjectIdentifier(rule)) }
                return true
            }
            let program = PhaseProgram(kept)
            guard phase > 0 else {
                programs.append(program)
                continue
            }
            let gates = program.rules.map { gateOutcome($0, tx: tx, written: written) }
            let (never, guards) = neverRun(program, gates: gates)
            skipped += never
            programs.append(PhaseProgram(kept, gates: gates, guards: guards))
        }
        // The literals of rules that run: rules of the programs, minus those a decided gate always skips.
        let prefilter = ruleSet.prefilter
        var live = [UInt64](repeating: 0, count: prefilter.words)
        let skippedSet = Set(skipped.map(ObjectIdentifier.init))
        for program in programs {
            for rule in program.rules where rule.prefilterWord >= 0 && !skippedSet.contains(ObjectIdentifier(rule)) {
                live[rule.prefilterWord] |= rule.prefilterMask
            }
        }
        let scanners = OwnedScanners(prefilter.restrictedScanners(keeping: live))
        // In the phase-1 program: the first rule that stays after the last folded match, else the first after the
        // prelude (rules before it keep their relative order, so MATCHED_VAR* ends as when every rule runs).
        let restoreAt = stayerPositions.first { $0 > lastMatchPosition } ?? preludeEnd
        let restoreRule = restoreAt < phase1.rules.count ? ObjectIdentifier(phase1.rules[restoreAt]) : nil
        let matchedRestoreIndex =
            programs[1].rules.firstIndex { ObjectIdentifier($0) == restoreRule } ?? programs[1].rules.count
        return ConstantSetup(
            tx: KeyedStoreSnapshot(tx), matchedVar: matched.0, matchedVarName: matched.1, visibleMatchedVars: matched.2,
            matchedRestoreIndex: matchedRestoreIndex, programs: programs,
            preludeIDs: phase1.rules.filter { left.contains(ObjectIdentifier($0)) }.map(\.id),
            scanners: scanners, skippedIDs: skipped.map(\.id))
    }

    /// The rules of `program` that a decided gate always skips over, and per rule whether it is such a gate.
    /// Conservative: a range that another jump (`skipAfter`, `skip`) may land inside is not counted.
    static func neverRun(_ program: PhaseProgram, gates: [PhaseProgram.Gate?]) -> ([CompiledRule], [Bool]) {
        var landings = Set<Int>()
        for (j, rule) in program.rules.enumerated() {
            if rule.actions.skipAfter != nil { landings.insert(program.skipAfterTargets[j]) }
            if rule.actions.skip > 0 { landings.insert(j + 1 + rule.actions.skip) }
        }
        var never: [CompiledRule] = []
        var guards = [Bool](repeating: false, count: program.rules.count)
        for (g, gate) in gates.enumerated() {
            guard case .match? = gate, program.rules[g].actions.skipAfter != nil else { continue }
            let target = program.skipAfterTargets[g]
            guard target > g + 1, !landings.contains(where: { $0 > g + 1 && $0 < target }) else { continue }
            never += program.rules[(g + 1)..<target]
            guards[g] = true
        }
        return (never, guards)
    }

    private static func hasGates(_ ruleSet: RuleSet) -> Bool {
        ruleSet.programs.contains { $0.rules.contains { $0.txCompare != nil } }
    }

    /// Every link reads only TX (a TX comparison, or no operator) and writes only TX: its evaluation is the same
    /// on every request.
    static func readsOnlyTX(_ rule: CompiledRule) -> Bool {
        ([rule] + rule.chained).allSatisfy { link in
            (link.matcher == nil && link.targets.isEmpty || link.txCompare.map { $0.macro == nil } == true)
                && !link.actions.capture
                && link.actions.setVars.allSatisfy { $0.collection == .tx && txOnly($0.key) && txOnly($0.operation) }
        }
    }

    /// A full match changes nothing but TX and MATCHED_VAR* (and may `skipAfter`): no log entry, disruptive
    /// action, severity, `skip` or `ctl`.
    static func matchEffectsOnlyTX(_ rule: CompiledRule) -> Bool {
        !rule.logged && rule.effectiveAction == .pass && rule.actions.severity == nil && rule.actions.skip == 0
            && !rule.hasControls
    }

    /// Runs per request at its place while folded rules around it are applied up front: reads the request (and
    /// only TX keys it names), changes no rule flow (no disruptive action, skip or rule `ctl`), reads no
    /// MATCHED_VAR*. Its TX reads and writes are in its `TXKeys`. Generated per-function rules
    /// (`tx.tollgate_allowed_methods` on a route) and Content-Type rules are such rules.
    static func staysInPlace(_ rule: CompiledRule) -> Bool {
        guard rule.effectiveAction == .pass, rule.actions.skip == 0, rule.actions.skipAfter == nil else {
            return false
        }
        return ([rule] + rule.chained).allSatisfy { link in
            link.actions.controls.allSatisfy(isRequestSetting)
                && link.targets.allSatisfy { !readsMatched($0.variable) }
        }
    }

    /// Inert: stays in place and touches no TX at all.
    static func isInert(_ rule: CompiledRule) -> Bool {
        guard staysInPlace(rule), let keys = TXKeys(rule) else { return false }
        return keys.reads.isEmpty && keys.writes.isEmpty && !keys.readsAll
    }

    private static func readsMatched(_ variable: Variable) -> Bool {
        switch variable {
        case .matchedVar, .matchedVars, .matchedVarName, .matchedVarsNames: true
        default: false
        }
    }

    /// `ctl:` that changes how this request is read, not which rules run or how they decide.
    private static func isRequestSetting(_ control: ControlAction) -> Bool {
        switch control {
        case .requestBodyProcessor, .requestBodyAccess, .responseBodyAccess, .forceRequestBodyVariable,
            .auditEngine, .auditLogParts, .requestBodyLimit, .responseBodyLimit, .parseXMLIntoArgs:
            true
        case .ruleEngine, .ruleRemoveByID, .ruleRemoveByTag, .ruleRemoveByMsg, .ruleRemoveTargetByID,
            .ruleRemoveTargetByTag, .ruleRemoveTargetByMsg:
            false
        }
    }

    private static func txOnly(_ macro: MacroString) -> Bool {
        macro.segments.allSatisfy { segment in
            if case .reference(let variable, _, _, _) = segment { return variable == .tx }
            return true
        }
    }

    private static func txOnly(_ operation: SetVarAction.Operation) -> Bool {
        switch operation {
        case .set(let m), .add(let m), .subtract(let m): txOnly(m)
        case .delete: true
        }
    }

    /// The outcome of a gate whose TX key no remaining rule writes; nil for any other rule.
    static func gateOutcome(_ rule: CompiledRule, tx: KeyedStore, written: WrittenKeys) -> PhaseProgram.Gate? {
        guard let fast = rule.txCompare, fast.macro == nil, rule.chained.isEmpty, !rule.negated,
            rule.actions.setVars.isEmpty, !rule.hasControls, !rule.logged, rule.effectiveAction == .pass,
            rule.actions.severity == nil, rule.actions.skip == 0, !written.mayWrite(fast.key)
        else { return nil }
        guard let value = fast.subject(in: tx) else { return .noMatch }
        guard fast.comparison.holds(ByteSearch.parseInteger(value), fast.constant) else { return .noMatch }
        return .match(name: fast.name, value: value)
    }
}

/// The scanners of a `ConstantSetup`, freed with it.
final class OwnedScanners: Sendable {
    let scanners: [LiteralScanner]
    init(_ scanners: [LiteralScanner]) { self.scanners = scanners }
    deinit { for scanner in scanners { scanner.deallocate() } }
}

/// The TX keys one rule (all links) reads and writes, lowercase; nil when a written key is not constant.
struct TXKeys {
    var reads = Set<[UInt8]>()
    var writes = Set<[UInt8]>()
    /// Reads TX beyond named keys (a whole-collection or key-regex target, a macro with a computed key).
    var readsAll = false

    init() {}

    init?(_ rule: CompiledRule) {
        for link in [rule] + rule.chained {
            for target in link.targets where target.variable == .tx {
                if let key = target.literalKey { reads.insert(key.asciiLowercased()) } else { readsAll = true }
            }
            if link.op?.argument.contains("%{") == true {
                guard let macro = try? MacroString(parsing: link.op?.argument ?? "") else { return nil }
                read(macro)
            }
            if link.actions.capture { for k in 0..<10 { writes.insert(Array(String(k).utf8)) } }
            for s in link.actions.setVars where s.collection == .tx {
                guard let lower = s.keyLowercased else { return nil }
                writes.insert(lower)
                switch s.operation {
                case .set(let m): read(m)
                case .add(let m), .subtract(let m):
                    reads.insert(lower)
                    read(m)
                case .delete: break
                }
            }
            for s in link.actions.setVars where s.collection != .tx { readsAll = true }
        }
        // Messages are expanded when the rule logs.
        for macro in [rule.actions.message, rule.actions.logData].compactMap({ $0 }) { read(macro) }
    }

    private mutating func read(_ macro: MacroString) {
        for segment in macro.segments {
            guard case .reference(let variable, _, let key, _) = segment else { continue }
            if variable == .tx {
                if let key { reads.insert(key) } else { readsAll = true }
            } else if variable == .matchedVar || variable == .matchedVarName || variable == .matchedVars
                || variable == .matchedVarsNames
            {
                readsAll = true
            }
        }
    }

    mutating func formUnion(_ other: TXKeys) {
        reads.formUnion(other.reads)
        writes.formUnion(other.writes)
        readsAll = readsAll || other.readsAll
    }

    /// Whether a TX-only rule with `keys` may be applied before rules that stay with these keys.
    func allowsFolding(_ keys: TXKeys) -> Bool {
        !keys.readsAll && keys.reads.isDisjoint(with: writes) && keys.writes.isDisjoint(with: writes)
            && (readsAll ? keys.writes.isEmpty : keys.writes.isDisjoint(with: reads))
    }
}

/// The TX keys that rules may write at run time.
struct WrittenKeys {
    private var keys = Set<[UInt8]>()
    private var prefixes: [[UInt8]] = []

    init(_ ruleSet: RuleSet, except left: Set<ObjectIdentifier>) {
        for program in ruleSet.programs {
            for rule in program.rules where !left.contains(ObjectIdentifier(rule)) {
                for link in [rule] + rule.chained {
                    if link.actions.capture { for k in 0..<10 { keys.insert(Array(String(k).utf8)) } }
                    for s in link.actions.setVars where s.collection == .tx {
                        if let lower = s.keyLowercased {
                            keys.insert(lower)
                        } else if case .literal(let start)? = s.key.segments.first {
                            prefixes.append(start.asciiLowercased())
                        } else {
                            prefixes.append([])
                        }
                    }
                }
            }
        }
    }

    /// Whether some rule may write the lowercase `key`.
    func mayWrite(_ key: [UInt8]) -> Bool {
        keys.contains(key) || prefixes.contains { key.starts(with: $0) }
    }
}

/// A copy of a TX store to start transactions from (copy-on-write arrays: no per-request rebuild).
struct KeyedStoreSnapshot: @unchecked Sendable {
    // Immutable after init and only copied out: safe to share across threads.
    private let store: KeyedStore

    init(_ store: KeyedStore) { self.store = store.copy() }

    func makeStore() -> KeyedStore { store.copy() }
}
