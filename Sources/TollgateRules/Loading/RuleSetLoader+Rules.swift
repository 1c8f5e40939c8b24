import Foundation

extension RuleSetLoader {
    mutating func addRule(variables: String?, operatorText: String?, actionsText: String, directive d: DirectiveLine)
        throws(RuleLoadError)
    {
        let isLink = !openChain.isEmpty
        var actions = try parseActions(actionsText, directive: d, isChainLink: isLink)
        let targets = try variables.map { (v) throws(RuleLoadError) in try parseTargets(v, directive: d) } ?? []
        var op: CompiledOperator?
        if let operatorText {
            op = try parseOperator(operatorText, directive: d)
        }
        if isLink {
            if actions.id != nil || actions.phase != nil {
                throw RuleLoadError(
                    .invalidAction, file: d.file, line: d.line, "a chained rule may not set id or phase")
            }
            if let disruptive = actions.disruptive, disruptive != .pass {
                throw RuleLoadError(
                    .invalidAction, file: d.file, line: d.line, "a chained rule may not have a disruptive action")
            }
            actions.phase = openChain[0].actions.phase
        } else {
            guard let id = actions.id else {
                throw RuleLoadError(.missingRuleID, file: d.file, line: d.line, "rule has no id action")
            }
            if seenIDs.contains(id) {
                throw RuleLoadError(.duplicateRuleID, file: d.file, line: d.line, "rule id \(id) is already defined")
            }
            seenIDs.insert(id)
            if actions.phase == nil { actions.phase = 2 }
        }
        let phase = actions.phase ?? 2
        var transformations: [Transformation] = []
        if let defaults = defaultActions[phase], !actions.transformationsReset {
            transformations = defaults.transformations
        }
        transformations += actions.transformations
        transformations.removeAll { $0 == .none }
        let rule = Rule(
            actions: actions, targets: targets, op: op, transformations: transformations,
            transformationChainID: internChain(transformations), chained: [], file: d.file, line: d.line)
        openChain.append(rule)
        if !actions.chain {
            var starter = openChain[0]
            starter.chained = Array(openChain.dropFirst())
            openChain = []
            entries.append(.rule(starter))
        }
    }

    func parseOperator(_ text: String, directive d: DirectiveLine) throws(RuleLoadError) -> CompiledOperator {
        var rest = Substring(text)
        while rest.first == " " { rest = rest.dropFirst() }
        var negated = false
        if rest.first == "!" {
            negated = true
            rest = rest.dropFirst()
        }
        let name: String
        let argument: String
        if rest.first == "@" {
            rest = rest.dropFirst()
            let end = rest.firstIndex(where: { $0 == " " || $0 == "\t" }) ?? rest.endIndex
            name = String(rest[..<end])
            var arg = rest[end...]
            if arg.first == " " || arg.first == "\t" { arg = arg.dropFirst() }
            argument = String(arg)
        } else {
            name = "rx"
            argument = String(rest)
        }
        let base = (d.file as NSString).deletingLastPathComponent
        do {
            let implementation = try makeOperator(name, argument, base.isEmpty ? "." : base)
            return CompiledOperator(name: name, argument: argument, negated: negated, implementation: implementation)
        } catch {
            // A name the factory does not know fails closed as unknown; a known one with a bad argument (a regex
            // that does not compile, a bad range, a missing data file) is invalid.
            let known = OperatorFactory.supportedNames.contains(name.lowercased())
            throw RuleLoadError(
                known ? .invalidOperator : .unknownOperator, file: d.file, line: d.line, "operator @\(name): \(error)")
        }
    }

    /// Parses `ARGS|!ARGS:foo|&TX:x|REQUEST_COOKIES:/re|gex/|XML:/*`.
    func parseTargets(_ text: String, directive d: DirectiveLine) throws(RuleLoadError) -> [VariableTarget] {
        var result: [VariableTarget] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            while i < chars.count, chars[i] == " " || chars[i] == "|" { i += 1 }
            if i >= chars.count { break }
            let start = i
            var exclude = false
            var count = false
            if chars[i] == "!" {
                exclude = true
                i += 1
            } else if chars[i] == "&" {
                count = true
                i += 1
            }
            var name = ""
            while i < chars.count, chars[i] != ":" && chars[i] != "|" && chars[i] != "." {
                name.append(chars[i])
                i += 1
            }
            guard let variable = Variable(name: name.trimmingBlanks()) else {
                throw RuleLoadError(.unknownVariable, file: d.file, line: d.line, "unknown variable '\(name)'")
            }
            var keyText: String?
            var isRegex = false
            if i < chars.count, chars[i] == ":" || chars[i] == "." {
                i += 1
                var key = ""
                if i < chars.count, chars[i] == "'" {
                    i += 1
                    while i < chars.count, chars[i] != "'" {
                        key.append(chars[i])
                        i += 1
                    }
                    i += 1
                    if key.count >= 2, key.hasPrefix("/"), key.hasSuffix("/"), variable != .xml {
                        isRegex = true
                        key = String(key.dropFirst().dropLast())
                    }
                } else if i < chars.count, chars[i] == "/", variable != .xml {
                    isRegex = true
                    i += 1
                    var closed = false
                    while i < chars.count {
                        if chars[i] == "\\", i + 1 < chars.count {
                            key.append(chars[i])
                            key.append(chars[i + 1])
                            i += 2
                            continue
                        }
                        if chars[i] == "/" {
                            closed = true
                            i += 1
                            break
                        }
                        key.append(chars[i])
                        i += 1
                    }
                    if !closed {
                        throw RuleLoadError(
                            .syntax, file: d.file, line: d.line, "unterminated /regex/ key in '\(text)'")
                    }
                } else {
                    while i < chars.count, chars[i] != "|" {
                        key.append(chars[i])
                        i += 1
                    }
                }
                keyText = key
            }
            let written = String(chars[start..<min(i, chars.count)])
            var selector: KeySelector?
            if let keyText {
                if variable == .xml {
                    // Only the XPath forms CRS uses are evaluated; anything else fails the load.
                    guard ["/*", "//*", "//@*", "/*/@*"].contains(keyText) else {
                        throw RuleLoadError(
                            .unknownVariable, file: d.file, line: d.line,
                            "unsupported XPath 'XML:\(keyText)' (supported: /*, //*, //@*, /*/@*)")
                    }
                    selector = .xpath(keyText)
                } else if isRegex {
                    do {
                        // Keys of case-insensitive collections match case-insensitively (TX keys are stored lowercase).
                        let pattern = variable.caseInsensitiveKeys ? "(?i)" + keyText : keyText
                        selector = .regex(pattern: keyText, matcher: try makeOperator("rx", pattern, "."))
                    } catch {
                        throw RuleLoadError(
                            .invalidValue, file: d.file, line: d.line, "bad key regex /\(keyText)/: \(error)")
                    }
                } else {
                    let bytes = Array(keyText.utf8)
                    selector = .literal(variable.caseInsensitiveKeys ? bytes.asciiLowercased() : bytes)
                }
            }
            result.append(
                VariableTarget(variable: variable, key: selector, count: count, exclude: exclude, text: written))
        }
        if result.isEmpty {
            throw RuleLoadError(.syntax, file: d.file, line: d.line, "no variables in '\(text)'")
        }
        return result
    }

    func parseActions(_ text: String, directive d: DirectiveLine, isChainLink: Bool) throws(RuleLoadError)
        -> RuleActions
    {
        var a = RuleActions()
        for (name, value) in try SecLangLexer.actions(text, file: d.file, line: d.line) {
            func need() throws(RuleLoadError) -> String {
                guard let value, !value.isEmpty else {
                    throw RuleLoadError(.invalidAction, file: d.file, line: d.line, "action '\(name)' needs a value")
                }
                return value
            }
            func macro(_ s: String) throws(RuleLoadError) -> MacroString {
                do {
                    return try MacroString(parsing: s)
                } catch {
                    throw RuleLoadError(
                        .invalidAction, file: d.file, line: d.line,
                        "unknown variable in macro %{\(error.reference)} of action '\(name)'")
                }
            }
            func setDisruptive(_ action: DisruptiveAction) throws(RuleLoadError) {
                a.disruptive = action
            }
            switch name.lowercased() {
            case "id":
                guard let id = Int(try need()), id > 0 else {
                    throw RuleLoadError(.invalidAction, file: d.file, line: d.line, "invalid rule id '\(value ?? "")'")
                }
                a.id = id
            case "phase":
                let v = try need().lowercased()
                switch v {
                case "1", "request_headers": a.phase = 1
                case "2", "request": a.phase = 2
                case "3", "response_headers": a.phase = 3
                case "4", "response": a.phase = 4
                case "5", "logging": a.phase = 5
                default: throw RuleLoadError(.invalidAction, file: d.file, line: d.line, "invalid phase '\(v)'")
                }
            case "msg": a.message = try macro(try need())
            case "logdata": a.logData = try macro(value ?? "")
            case "tag": a.tags.append(try need())
            case "severity":
                let v = try need()
                if let n = Int(v), (0...7).contains(n) {
                    a.severity = n
                } else {
                    let names = ["EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG"]
                    guard let n = names.firstIndex(of: v.uppercased()) else {
                        throw RuleLoadError(.invalidAction, file: d.file, line: d.line, "invalid severity '\(v)'")
                    }
                    a.severity = n
                }
            case "ver": a.version = try need()
            case "rev": a.revision = try need()
            case "maturity": a.maturity = try need()
            case "accuracy": a.accuracy = try need()
            case "capture": a.capture = true
            case "multimatch": a.multiMatch = true
            case "chain": a.chain = true
            case "setvar": a.setVars.append(try parseSetVar(try need(), d))
            case "ctl": a.controls.append(try parseControl(try need(), d))
            case "skip":
                guard let n = Int(try need()), n > 0 else {
                    throw RuleLoadError(.invalidAction, file: d.file, line: d.line, "invalid skip count")
                }
                a.skip = n
            case "skipafter": a.skipAfter = try need()
            case "block": try setDisruptive(.block)
            case "deny": try setDisruptive(.deny)
            case "drop": try setDisruptive(.drop)
            case "pass": try setDisruptive(.pass)
            case "allow":
                switch value?.lowercased() {
                case nil, "": try setDisruptive(.allow(.all))
                case "phase": try setDisruptive(.allow(.phase))
                case "request": try setDisruptive(.allow(.request))
                default:
                    throw RuleLoadError(
                        .invalidAction, file: d.file, line: d.line, "invalid allow scope '\(value ?? "")'")
                }
            case "redirect": try setDisruptive(.redirect(MacroStringBox(macro: try macro(try need()))))
            case "status":
                guard let s = Int(try need()), (100...599).contains(s) else {
                    throw RuleLoadError(.invalidAction, file: d.file, line: d.line, "invalid status '\(value ?? "")'")
                }
                a.status = s
            case "log": a.log = true
            case "nolog": a.log = false; if a.auditLog == nil { a.auditLog = false }
            case "auditlog": a.auditLog = true
            case "noauditlog": a.auditLog = false
            case "t":
                let v = try need()
                a.hasTransformations = true
                if v.lowercased() == "none" {
                    a.transformations = []
                    a.transformationsReset = true
                } else {
                    guard let t = Transformation(name: v) else {
                        throw RuleLoadError(
                            .unknownTransformation, file: d.file, line: d.line, "unknown transformation '\(v)'")
                    }
                    a.transformations.append(t)
                }
            case "initcol", "expirevar", "deprecatevar", "setuid", "setsid", "setenv", "setrsc", "xmlns",
                "sanitisematched", "sanitisearg", "sanitiserequestheader", "sanitiseresponseheader",
                "sanitisematchedbytes", "sanitizematched", "sanitizearg", "sanitizerequestheader",
                "sanitizeresponseheader":
                // Accepted: persistent collections are per request here (see README, limits).
                break
            default:
                throw RuleLoadError(.unknownAction, file: d.file, line: d.line, "unknown action '\(name)'")
            }
        }
        return a
    }

    func parseSetVar(_ text: String, _ d: DirectiveLine) throws(RuleLoadError) -> SetVarAction {
        var body = Substring(text.trimmingBlanks())
        var delete = false
        if body.first == "!" {
            delete = true
            body = body.dropFirst()
        }
        let nameEnd = body.firstIndex(of: "=") ?? body.endIndex
        let fullName = body[..<nameEnd]
        guard let dot = fullName.firstIndex(of: ".") else {
            throw RuleLoadError(.invalidAction, file: d.file, line: d.line, "setvar '\(text)' needs collection.name")
        }
        guard let collection = Variable(name: String(fullName[..<dot])),
            [.tx, .ip, .session, .global, .user, .resource].contains(collection)
        else {
            throw RuleLoadError(.invalidAction, file: d.file, line: d.line, "setvar '\(text)': unsupported collection")
        }
        func macro(_ s: Substring) throws(RuleLoadError) -> MacroString {
            do { return try MacroString(parsing: String(s)) } catch {
                throw RuleLoadError(
                    .invalidAction, file: d.file, line: d.line,
                    "unknown variable in macro %{\(error.reference)} of setvar")
            }
        }
        let key = try macro(fullName[fullName.index(after: dot)...])
        if delete { return SetVarAction(collection: collection, key: key, operation: .delete) }
        guard nameEnd < body.endIndex else {
            return SetVarAction(collection: collection, key: key, operation: .set(try macro("1")))
        }
        var value = body[body.index(after: nameEnd)...]
        if value.first == "+" {
            value = value.dropFirst()
            return SetVarAction(collection: collection, key: key, operation: .add(try macro(value)))
        }
        if value.first == "-" {
            value = value.dropFirst()
            return SetVarAction(collection: collection, key: key, operation: .subtract(try macro(value)))
        }
        return SetVarAction(collection: collection, key: key, operation: .set(try macro(value)))
    }

    func parseControl(_ text: String, _ d: DirectiveLine) throws(RuleLoadError) -> ControlAction {
        guard let eq = text.firstIndex(of: "=") else {
            throw RuleLoadError(.invalidAction, file: d.file, line: d.line, "ctl '\(text)' needs name=value")
        }
        let name = String(text[..<eq]).trimmingBlanks().lowercased()
        let value = String(text[text.index(after: eq)...]).trimmingBlanks()
        func bool() throws(RuleLoadError) -> Bool {
            switch value.lowercased() {
            case "on", "true", "1": return true
            case "off", "false", "0": return false
            default: throw RuleLoadError(.invalidAction, file: d.file, line: d.line, "ctl:\(name) expects On or Off")
            }
        }
        func targetPair() throws(RuleLoadError) -> (String, VariableTarget) {
            guard let semi = value.firstIndex(of: ";") else {
                throw RuleLoadError(.invalidAction, file: d.file, line: d.line, "ctl:\(name) expects selector;TARGET")
            }
            let targets = try parseTargets(String(value[value.index(after: semi)...]), directive: d)
            guard targets.count == 1 else {
                throw RuleLoadError(.invalidAction, file: d.file, line: d.line, "ctl:\(name) expects one target")
            }
            return (String(value[..<semi]), targets[0])
        }
        func ranges(_ text: String) throws(RuleLoadError) -> [ClosedRange<Int>] {
            var out: [ClosedRange<Int>] = []
            for part in text.split(whereSeparator: { $0 == " " || $0 == "," }) {
                out.append(try parseRange(String(part), d))
            }
            return out
        }
        switch name {
        case "ruleengine":
            guard let mode = EngineMode.parse(value) else {
                throw RuleLoadError(
                    .invalidAction, file: d.file, line: d.line, "ctl:ruleEngine expects On, Off or DetectionOnly")
            }
            return .ruleEngine(mode)
        case "ruleremovebyid": return .ruleRemoveByID(try ranges(value))
        case "ruleremovebytag": return .ruleRemoveByTag(value)
        case "ruleremovebymsg": return .ruleRemoveByMsg(value)
        case "ruleremovetargetbyid":
            let (sel, target) = try targetPair()
            return .ruleRemoveTargetByID(try ranges(sel), target)
        case "ruleremovetargetbytag":
            let (sel, target) = try targetPair()
            return .ruleRemoveTargetByTag(sel, target)
        case "ruleremovetargetbymsg":
            let (sel, target) = try targetPair()
            return .ruleRemoveTargetByMsg(sel, target)
        case "requestbodyprocessor":
            let v = value.uppercased()
            guard ["URLENCODED", "MULTIPART", "XML", "JSON"].contains(v) else {
                throw RuleLoadError(
                    .invalidAction, file: d.file, line: d.line, "unknown request body processor '\(value)'")
            }
            return .requestBodyProcessor(v)
        case "requestbodyaccess": return .requestBodyAccess(try bool())
        case "responsebodyaccess": return .responseBodyAccess(try bool())
        case "forcerequestbodyvariable": return .forceRequestBodyVariable(try bool())
        case "auditengine": return .auditEngine(value)
        case "auditlogparts": return .auditLogParts(value)
        case "requestbodylimit":
            guard let n = Int(value) else {
                throw RuleLoadError(.invalidAction, file: d.file, line: d.line, "bad limit")
            }
            return .requestBodyLimit(n)
        case "responsebodylimit":
            guard let n = Int(value) else {
                throw RuleLoadError(.invalidAction, file: d.file, line: d.line, "bad limit")
            }
            return .responseBodyLimit(n)
        case "parsexmlintoargs": return .parseXMLIntoArgs(value)
        default:
            throw RuleLoadError(.unknownAction, file: d.file, line: d.line, "unknown ctl '\(name)'")
        }
    }
}

extension Array where Element == UInt8 {
    func asciiLowercased() -> [UInt8] { ByteSearch.lowercased(self) }
}
