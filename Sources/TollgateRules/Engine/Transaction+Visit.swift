extension Transaction {
    /// Receives one value: its variable, key (nil for scalars), bytes and cache slot (see `TargetValue.slot`).
    typealias ValueVisitor = (_ variable: Variable, _ key: [UInt8]?, _ value: [UInt8], _ slot: Int) -> Void

    static let zeroBytes: [UInt8] = [UInt8(ascii: "0")]
    static let oneBytes: [UInt8] = [UInt8(ascii: "1")]

    /// The link's `!` exclusions plus those added at run time by `ctl:ruleRemoveTarget*` for its chain.
    func exclusions(for link: CompiledRule, top: CompiledRule) -> [VariableTarget] {
        guard !removedTargets.isEmpty else { return link.exclusions }
        var out: [VariableTarget]?
        for i in removedTargets.indices where removedTargets[i].selector.selects(top) {
            if out == nil { out = link.exclusions }
            out?.append(removedTargets[i].target)
        }
        return out ?? link.exclusions
    }

    /// Whether a `ctl:ruleRemoveTarget*` of this transaction applies to `top`'s chain.
    func hasRemovedTargets(_ top: CompiledRule) -> Bool {
        if removedTargets.isEmpty { return false }
        for i in removedTargets.indices where removedTargets[i].selector.selects(top) { return true }
        return false
    }

    /// Visits every value of the link's targets, minus exclusions, without building intermediate arrays
    /// (the rule loop's hot path).
    func forEachValue(_ link: CompiledRule, top: CompiledRule, _ visit: ValueVisitor) {
        let excluded = exclusions(for: link, top: top)
        let targets = link.targets
        // A covered rule runs only when admitted; its targets whose values cannot match are not visited.
        let perTarget = link === top && link.prefilterWord >= 0
        for i in targets.indices {
            if perTarget && !prefilterAdmitsTarget(link, i) { continue }
            if targets[i].count {
                // `&TX:name` (CRS's initialisation rules): a key lookup, no value array.
                if let key = targets[i].literalKey, Self.isStore(targets[i].variable) {
                    let present = stores[targets[i].variable]?[lowercased: key] != nil
                    visit(targets[i].variable, nil, present ? Self.oneBytes : Self.zeroBytes, -1)
                    continue
                }
                let n = values(of: targets[i]).count
                visit(targets[i].variable, nil, Self.number(n), -1)
                continue
            }
            link.unmanagedTargets[i]._withUnsafeGuaranteedRef { target in
                forEachValue(of: target, exclusions: excluded, visit)
            }
        }
    }

    func isExcluded(_ exclusions: [VariableTarget], _ variable: Variable, _ key: [UInt8]?) -> Bool {
        for i in exclusions.indices where exclusions[i].variable == variable {
            let exclusion = exclusions[i]
            guard exclusion.hasKey else { return true }
            if let key, keyMatches(target: exclusion, key, variable: variable) { return true }
        }
        return false
    }

    func forEachValue(of target: VariableTarget, exclusions: [VariableTarget], _ visit: ValueVisitor) {
        let variable = target.variable
        let hasKey = target.hasKey
        let noExclusions = exclusions.isEmpty
        func emitEntries(_ list: [Entry], base: Int, names: Bool, stable: Bool = true) {
            // Borrow entries through the buffer: indexing the array copies the whole Entry (two retains)
            // at every use.
            list.withUnsafeBufferPointer { buffer in
                for i in buffer.indices {
                    if hasKey && !keyMatches(target: target, buffer[i].key, variable: variable) { continue }
                    if !noExclusions && isExcluded(exclusions, variable, buffer[i].key) { continue }
                    // Two calls rather than a conditional expression, which copied the chosen array (a retain
                    // and a release per value).
                    if names {
                        visit(variable, buffer[i].key, buffer[i].key, stable ? base + i : -1)
                    } else {
                        visit(variable, buffer[i].key, buffer[i].value, stable ? base + i : -1)
                    }
                }
            }
        }
        switch variable {
        case .args, .argsNames:
            let names = variable == .argsNames
            emitEntries(argsGet, base: 0, names: names)
            emitEntries(argsPost, base: argsGet.count, names: names)
            emitEntries(argsJSON, base: argsGet.count + argsPost.count, names: names)
        case .argsGet, .argsGetNames: emitEntries(argsGet, base: 0, names: variable == .argsGetNames)
        case .argsPost, .argsPostNames: emitEntries(argsPost, base: 0, names: variable == .argsPostNames)
        case .requestHeaders, .requestHeadersNames:
            emitEntries(requestHeaders, base: 0, names: variable == .requestHeadersNames)
        case .requestCookies, .requestCookiesNames:
            emitEntries(cookies, base: 0, names: variable == .requestCookiesNames)
        case .responseHeaders, .responseHeadersNames:
            emitEntries(responseHeaders, base: 0, names: variable == .responseHeadersNames)
        case .tx, .ip, .session, .global, .user, .resource:
            guard let store = stores[variable] else { return }
            if let key = target.literalKey {
                guard let value = store[lowercased: key] else { return }
                if !exclusions.isEmpty && isExcluded(exclusions, variable, key) { return }
                visit(variable, key, value, -1)
                return
            }
            emitEntries(store.entries, base: 0, names: false, stable: false)
        default:
            // Scalars: one value, no intermediate array (the rule loop reads REQUEST_FILENAME, REQUEST_LINE, ...).
            if !variable.isCollection {
                guard let value = scalar(variable) else { return }
                if !exclusions.isEmpty && isExcluded(exclusions, variable, nil) { return }
                visit(variable, nil, value, Self.isRequestDerived(variable) ? 0 : -1)
                return
            }
            for v in values(of: target) {
                if !exclusions.isEmpty && isExcluded(exclusions, v.variable, v.key) { continue }
                visit(v.variable, v.key, v.value, v.slot)
            }
        }
    }
}
