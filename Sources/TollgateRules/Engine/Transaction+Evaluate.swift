extension Transaction {
    func runPhase(_ phase: Int) {
        guard mode != .off else { return }
        if phase < 5 && (interrupted || allowedThroughPhase >= phase) { return }
        let program = programs[phase]
        resetPrefilter()
        // Through the buffers, rules borrowed without reference counting: the loop visits every rule of the
        // phase on every request.
        program.unmanagedRules.withUnsafeBufferPointer { rules in
            program.flags.withUnsafeBufferPointer { flags in
                var i = 0
                var skipRules = 0
                while i < rules.count {
                    if engineMode == .off { return }
                    if phase < 5 && (interrupted || allowedThroughPhase >= phase) { return }
                    if skipRules > 0 {
                        skipRules -= 1
                        i += 1
                        continue
                    }
                    if phase == 1 && i == matchedRestoreIndex { restoreMatchedState() }
                    let flag = flags[i]
                    let next = rules[i]._withUnsafeGuaranteedRef { rule in
                        step(rule, at: i, flag: flag, phase: phase, program: program)
                    }
                    switch next {
                    case .next: i += 1
                    case .jump(let target): i = target
                    case .skip(let count):
                        skipRules = count
                        i += 1
                    case .stop: return
                    }
                }
                if phase == 1 && matchedRestoreIndex >= 0 { restoreMatchedState() }
            }
        }
    }

    /// Applies the `ConstantSetup`'s matched state (see `ConstantSetup.matchedRestoreIndex`), once.
    private func restoreMatchedState() {
        matchedRestoreIndex = -1
        guard let setup = engine.constantSetup else { return }
        matchedVar = setup.matchedVar
        matchedVarName = setup.matchedVarName
        visibleMatchedVars = setup.visibleMatchedVars
    }

    /// Where the rule loop goes after one rule.
    enum Step {
        case next
        case jump(Int)
        case skip(Int)
        case stop
    }

    /// Runs (or skips) rule `i` of `program`.
    @inline(__always)
    private func step(_ rule: CompiledRule, at i: Int, flag: UInt8, phase: Int, program: PhaseProgram) -> Step {
        if isRemoved(rule) {
            if flag & PhaseProgram.guardFlag != 0 { useFullScanners() }
            return .next
        }
        if rule.prefilterWord >= 0 && !prefilterAdmits(rule) {
            // Cannot match: the same state as an evaluation without a match.
            if !visibleMatchedVars.isEmpty { visibleMatchedVars.removeAll(keepingCapacity: true) }
            return .next
        }
        if flag & (PhaseProgram.noMatchFlag | PhaseProgram.matchFlag) != 0 && !hasRemovedTargets(rule) {
            // Known at load: the state an evaluation leaves, without it.
            if flag & PhaseProgram.noMatchFlag != 0 {
                if !visibleMatchedVars.isEmpty { visibleMatchedVars.removeAll(keepingCapacity: true) }
                return .next
            }
            if case .match(let name, let value)? = program.gates[i] {
                matchedVar = value
                matchedVarName = name
                visibleMatchedVars.removeAll(keepingCapacity: true)
                visibleMatchedVars.append((name, value))
            }
            return rule.actions.skipAfter != nil ? .jump(program.skipAfterTargets[i]) : .next
        }
        if flag & PhaseProgram.guardFlag != 0 { useFullScanners() }
        let outcome = evaluate(rule, phase: phase)
        guard outcome.matched else { return .next }
        if rule.actions.skipAfter != nil { return .jump(program.skipAfterTargets[i]) }
        if outcome.stopPhase { return .stop }
        if rule.actions.skip > 0 { return .skip(rule.actions.skip) }
        return .next
    }

    func isRemoved(_ rule: CompiledRule) -> Bool {
        if !removedIDs.isEmpty && removedIDs.contains(where: { $0.contains(rule.id) }) { return true }
        if !removedTagRules.isEmpty && removedTagRules.contains(ordinal: rule.ordinal) { return true }
        if !removedMessages.isEmpty, let msg = rule.messageText, removedMessages.contains(msg) { return true }
        return false
    }

    struct Outcome {
        var matched: Bool
        var stopPhase: Bool
    }

    /// Evaluates a rule and its chain; runs actions on a full match.
    func evaluate(_ rule: CompiledRule, phase: Int) -> Outcome {
        currentRule = rule
        defer { currentRule = nil }
        if !visibleMatchedVars.isEmpty { visibleMatchedVars.removeAll(keepingCapacity: true) }
        if !evaluateLink(rule, top: rule) { return Outcome(matched: false, stopPhase: false) }
        for link in rule.chained {
            if !evaluateLink(link, top: rule) { return Outcome(matched: false, stopPhase: false) }
        }
        // Full match: non-disruptive actions of every link, then logging, then the disruptive action.
        if rule.hasControls {
            for control in rule.actions.controls { apply(control) }
            for link in rule.chained {
                for control in link.actions.controls { apply(control) }
            }
        }
        let logged = rule.logged
        if let severity = rule.actions.severity, severity < highestSeverity { highestSeverity = severity }
        let action = rule.effectiveAction
        let status = rule.effectiveStatus
        var stopPhase = false
        var decided: Verdict?
        switch action {
        case .pass, .block:
            break
        case .deny:
            decided = .block(status: status ?? 403, ruleID: rule.id)
        case .drop:
            decided = .drop(ruleID: rule.id)
        case .redirect(let box):
            decided = .redirect(status: status ?? 302, location: expand(box.macro).string, ruleID: rule.id)
        case .allow(let scope):
            if mode == .block && engineMode == .on {
                switch scope {
                case .all: allowedThroughPhase = 4
                case .request: allowedThroughPhase = max(allowedThroughPhase, 2)
                case .phase: stopPhase = true
                }
                if phase == 5 { stopPhase = true }
            }
        }
        let willDisrupt = decided != nil && mode == .block && engineMode == .on && verdict == .allow
        if logged || decided != nil {
            let message = rule.actions.message.map { expand($0).string } ?? ""
            let logData = rule.actions.logData.map { expand($0).string } ?? ""
            matchedRules.append(
                MatchedRule(
                    id: rule.id, phase: phase, message: message, logData: logData, tags: rule.actions.tags,
                    severity: rule.actions.severity, matchedVariableName: matchedVarName.string, logged: logged,
                    disruptive: willDisrupt))
        }
        if let decided, phase < 5 { enforce(decided) }
        return Outcome(matched: true, stopPhase: stopPhase)
    }

    /// Evaluates one link; on each matching value sets MATCHED_VAR*, captures and runs setvar (as ModSecurity v3).
    func evaluateLink(_ link: CompiledRule, top: CompiledRule) -> Bool {
        if let fast = link.txCompare, !hasRemovedTargets(top) { return evaluateTXCompare(fast, link) }
        guard let matcher = link.matcher else {
            for s in link.actions.setVars { apply(s) }
            return true
        }
        // One state per link, reset per value; the visitor captures it by address (a nested function that
        // captured these variables made the compiler box them: three allocations per evaluation).
        // Without macros the operator never calls the expanders: a context without them costs no reference
        // counting (CRS evaluates about a hundred such links per request).
        var state = LinkState(
            context: link.operatorUsesMacros
                ? OperatorContext(
                    captureRequested: false, expandMacros: operatorMacroExpander,
                    expandParsedMacro: operatorParsedMacroExpander)
                : OperatorContext())
        if link.multiMatch && !link.transformations.isEmpty {
            forEachValue(link, top: top) { variable, key, value, _ in
                // The raw value, then each transformation result that differs from the one before, stopping at
                // the first match (multiMatch, without building a list of stages).
                if check(value, variable, key, link: link, top: top, matcher: matcher, state: &state) { return }
                var current = value
                for t in link.transformations {
                    let next = t.apply(current)
                    if next != current {
                        if check(next, variable, key, link: link, top: top, matcher: matcher, state: &state) {
                            return
                        }
                    }
                    current = next
                }
            }
        } else {
            if link.transformations.isEmpty {
                // No transformation: the value itself, without the cache lookup (and its reference count).
                forEachValue(link, top: top) { variable, key, value, _ in
                    _ = check(value, variable, key, link: link, top: top, matcher: matcher, state: &state)
                }
            } else {
                forEachValue(link, top: top) { variable, key, value, slot in
                    _ = check(
                        transformed(value, variable: variable, slot: slot, rule: link), variable, key, link: link,
                        top: top, matcher: matcher, state: &state)
                }
            }
        }
        if !state.newMatched.isEmpty || !visibleMatchedVars.isEmpty { visibleMatchedVars = state.newMatched }
        return state.any
    }

    /// TX keys of capture groups 0-9.
    static let captureKeys: [[UInt8]] = (0..<10).map { Array(String($0).utf8) }
    static let captureHashes: [UInt64] = captureKeys.map(KeyedStore.hash)

    /// What one link's evaluation accumulates over its values.
    struct LinkState {
        var context: OperatorContext
        var newMatched: [(name: [UInt8], value: [UInt8])] = []
        var any = false
    }

    /// Runs the operator on one (transformed) value; true on a (possibly negated) match, which sets
    /// MATCHED_VAR*, captures and the link's setvars.
    @inline(__always)
    private func check(
        _ stage: [UInt8], _ variable: Variable, _ key: [UInt8]?, link: CompiledRule, top: CompiledRule,
        matcher: any RuleOperator, state: inout LinkState
    ) -> Bool {
        let negated = link.negated
        let capture = link.capture
        if !state.context.captures.isEmpty { state.context.captures.removeAll(keepingCapacity: true) }
        // With `capture`, one run fills TX.0-9 on a match (a run that does not match costs the same with or
        // without groups, and a second run on a match doubled the work of rules like 920450 that match every
        // value).
        state.context.captureRequested = capture && !negated
        let result = matcher.evaluate(stage, context: &state.context)
        var matched: Bool
        switch result {
        case .match: matched = true
        case .noMatch: matched = false
        case .error(let error):
            operatorErrors.append("rule \(top.id): \(error)")
            if engine.operatorErrorBlocks { enforce(.block(status: 403, ruleID: top.id)) }
            return false
        }
        if negated { matched.toggle() }
        guard matched else { return false }
        state.any = true
        let name = TargetValue(variable: variable, key: key, value: []).name
        matchedVar = stage
        matchedVarName = name
        state.newMatched.append((name, stage))
        if capture && !state.context.captures.isEmpty {
            let tx = stores.make(.tx)
            for (index, group) in state.context.captures.prefix(10).enumerated() {
                let key = Self.captureKeys[index]
                tx.set(bytes: key, lowercased: key, hash: Self.captureHashes[index], group)
            }
        }
        for s in link.actions.setVars { apply(s) }
        return true
    }

    /// `evaluateLink` for a numeric comparison of one TX value: the same outcome and MATCHED_VAR* state as the
    /// visitor path, without it.
    private func evaluateTXCompare(_ fast: TXCompare, _ link: CompiledRule) -> Bool {
        guard let value = fast.subject(in: stores[.tx]) else {
            // No value to inspect: no match.
            if !visibleMatchedVars.isEmpty { visibleMatchedVars.removeAll(keepingCapacity: true) }
            return false
        }
        let right = fast.macro.map { ByteSearch.parseInteger(expand($0)) } ?? fast.constant
        var matched = fast.comparison.holds(ByteSearch.parseInteger(value), right)
        if link.negated { matched.toggle() }
        guard matched else {
            if !visibleMatchedVars.isEmpty { visibleMatchedVars.removeAll(keepingCapacity: true) }
            return false
        }
        matchedVar = value
        matchedVarName = fast.name
        // In place: CRS's paranoia-level gates match on every request, and a new one-element array each time
        // was an allocation per gate.
        visibleMatchedVars.removeAll(keepingCapacity: true)
        visibleMatchedVars.append((fast.name, value))
        for s in link.actions.setVars { apply(s) }
        return true
    }

    /// The value after the rule's transformation chain, cached per request by (chain, input).
    func transformed(_ value: [UInt8], variable: Variable, slot: Int, rule: CompiledRule) -> [UInt8] {
        transformed(
            value, variable: variable, slot: slot, transformations: rule.transformations,
            chainID: rule.transformationChainID)
    }

    /// The value after a transformation chain (interned as `chainID`), cached per request by (chain, input).
    func transformed(
        _ value: [UInt8], variable: Variable, slot: Int, transformations: [Transformation], chainID: Int
    ) -> [UInt8] {
        if transformations.isEmpty { return value }
        guard slot >= 0 else {
            var current = value
            for t in transformations { current = t.apply(current) }
            return current
        }
        let v = variable.ordinal
        let chains = ruleSet.transformationChainCount
        let index = slot &* chains &+ chainID
        if transformIndex.isEmpty { transformIndex = Array(repeating: [], count: Variable.allCases.count) }
        // Read through the buffers (one access, no copies of the inner arrays).
        let stored: Int32 = transformIndex.withUnsafeBufferPointer { outer in
            outer[v].withUnsafeBufferPointer { inner in index < inner.count ? inner[index] : 0 }
        }
        if stored > 0 { return transformValues[Int(stored) &- 1] }
        var current = value
        for t in transformations { current = t.apply(current) }
        let needed = (slot + 1) * chains
        if transformIndex[v].count < needed {
            transformIndex[v].append(contentsOf: repeatElement(0, count: needed - transformIndex[v].count))
        }
        transformValues.append(current)
        transformIndex[v][index] = Int32(truncatingIfNeeded: transformValues.count)
        return current
    }

    func store(_ v: Variable) -> KeyedStore { stores[v] ?? KeyedStore() }

    func apply(_ s: SetVarAction) {
        if let bytes = s.keyBytes, let lower = s.keyLowercased {
            // A constant key: its hash was computed at load.
            let hash = s.keyHash
            switch s.operation {
            case .set(let m):
                stores.make(s.collection).set(bytes: bytes, lowercased: lower, hash: hash, expand(m))
            case .add(let m):
                let store = stores.make(s.collection)
                let v = (store[lowercased: lower, hash: hash] ?? []).integerValue &+ expand(m).integerValue
                store.set(bytes: bytes, lowercased: lower, hash: hash, number(v))
            case .subtract(let m):
                let store = stores.make(s.collection)
                let v = (store[lowercased: lower, hash: hash] ?? []).integerValue &- expand(m).integerValue
                store.set(bytes: bytes, lowercased: lower, hash: hash, number(v))
            case .delete:
                stores[s.collection]?.remove(lowercased: lower)
            }
            return
        }
        // A key with macros (`tx.header_name_920450_%{tx.0}`): expanded as bytes, no String round trip.
        let bytes = expand(s.key)
        let lower = bytes.asciiLowercased()
        // Mutate in place (no copy of the store per setvar).
        switch s.operation {
        case .set(let m):
            let value = expand(m)
            stores.make(s.collection).set(bytes: bytes, lowercased: lower, value)
        case .add(let m):
            let v = (stores[s.collection]?[lowercased: lower] ?? []).integerValue &+ expand(m).integerValue
            stores.make(s.collection).set(bytes: bytes, lowercased: lower, number(v))
        case .subtract(let m):
            let v = (stores[s.collection]?[lowercased: lower] ?? []).integerValue &- expand(m).integerValue
            stores.make(s.collection).set(bytes: bytes, lowercased: lower, number(v))
        case .delete:
            stores[s.collection]?.remove(lowercased: lower)
        }
    }

    func apply(_ control: ControlAction) {
        switch control {
        case .ruleEngine(let mode): engineMode = mode
        case .ruleRemoveByID(let ranges): removedIDs += ranges
        case .ruleRemoveByTag(let tag):
            guard let bits = ruleSet.tagRules[tag] else { break }
            if removedTagRules.isEmpty { removedTagRules = Array(repeating: 0, count: bits.count) }
            for w in bits.indices { removedTagRules[w] |= bits[w] }
        case .ruleRemoveByMsg(let msg): removedMessages.insert(msg)
        case .ruleRemoveTargetByID(let ranges, let target): removedTargets.append((.ids(ranges), target))
        case .ruleRemoveTargetByTag(let tag, let target):
            removedTargets.append((.rules(ruleSet.tagRules[tag] ?? []), target))
        case .ruleRemoveTargetByMsg(let msg, let target): removedTargets.append((.message(msg), target))
        case .requestBodyProcessor(let p): reqbodyProcessor = p
        case .requestBodyAccess(let b): settings.requestBodyAccess = b
        case .responseBodyAccess(let b): settings.responseBodyAccess = b
        case .forceRequestBodyVariable(let b): forceRequestBodyVariable = b
        case .auditEngine(let v): settings.auditEngine = v
        case .auditLogParts(let v): settings.auditLogParts = v
        case .requestBodyLimit(let n): settings.requestBodyLimit = n
        case .responseBodyLimit(let n): settings.responseBodyLimit = n
        case .parseXMLIntoArgs: break
        }
    }
}
