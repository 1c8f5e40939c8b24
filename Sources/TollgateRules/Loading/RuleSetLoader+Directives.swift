import Foundation

extension RuleSetLoader {
    mutating func apply(_ d: DirectiveLine) throws(RuleLoadError) {
        let args = d.arguments
        func require(_ n: Int) throws(RuleLoadError) {
            if args.count < n {
                throw RuleLoadError(
                    .syntax, file: d.file, line: d.line, "\(d.name) needs \(n) argument(s), got \(args.count)")
            }
        }
        func onOff() throws(RuleLoadError) -> Bool {
            try require(1)
            switch args[0].lowercased() {
            case "on": return true
            case "off": return false
            default:
                throw RuleLoadError(
                    .invalidValue, file: d.file, line: d.line, "\(d.name) expects On or Off, got '\(args[0])'")
            }
        }
        func integer() throws(RuleLoadError) -> Int {
            try require(1)
            guard let v = Int(args[0]), v >= 0 else {
                throw RuleLoadError(
                    .invalidValue, file: d.file, line: d.line,
                    "\(d.name) expects a non-negative integer, got '\(args[0])'")
            }
            return v
        }
        if !openChain.isEmpty && d.name.lowercased() != "secrule" {
            throw RuleLoadError(
                .chainWithoutRule, file: d.file, line: d.line,
                "\(d.name) follows a rule with 'chain'; a SecRule must come next")
        }
        switch d.name.lowercased() {
        case "secrule":
            try require(2)
            if args.count > 3 {
                throw RuleLoadError(
                    .syntax, file: d.file, line: d.line,
                    "SecRule takes at most 3 arguments, got \(args.count) (unquoted blanks?)")
            }
            try addRule(
                variables: args[0], operatorText: args[1], actionsText: args.count > 2 ? args[2] : "", directive: d)
        case "secaction":
            try require(1)
            try addRule(variables: nil, operatorText: nil, actionsText: args[0], directive: d)
        case "secmarker":
            try require(1)
            entries.append(.marker(args[0]))
        case "secdefaultaction":
            try require(1)
            let actions = try parseActions(args[0], directive: d, isChainLink: false)
            guard let phase = actions.phase else {
                throw RuleLoadError(.invalidAction, file: d.file, line: d.line, "SecDefaultAction needs a phase")
            }
            guard actions.disruptive != nil else {
                throw RuleLoadError(
                    .invalidAction, file: d.file, line: d.line, "SecDefaultAction needs a disruptive action")
            }
            defaultActions[phase] = actions
        case "include":
            try require(1)
            let base = (d.file as NSString).deletingLastPathComponent
            let paths = try Self.expand(
                pattern: args[0], relativeTo: base.isEmpty ? "." : base, file: d.file, line: d.line)
            for path in paths {
                do {
                    try load(file: path)
                } catch let error where error.code == .unreadableFile && error.line == 0 {
                    throw RuleLoadError(.unreadableFile, file: d.file, line: d.line, "cannot include \(path)")
                }
            }
        case "secruleremovebyid":
            try require(1)
            var ranges: [ClosedRange<Int>] = []
            for a in args {
                for part in a.split(separator: " ") { ranges.append(try parseRange(String(part), d)) }
            }
            removeRules { rule in ranges.contains { $0.contains(rule.id) } }
        case "secruleremovebytag":
            try require(1)
            removeRules { $0.actions.tags.contains(args[0]) }
        case "secruleremovebymsg":
            try require(1)
            removeRules { $0.actions.message?.text == args[0] }
        case "secruleupdatetargetbyid":
            try require(2)
            let range = try parseRange(args[0], d)
            let targets = try parseTargets(args[1], directive: d)
            try updateRules(where: { range.contains($0.id) }, description: "id \(args[0])", d) { $0.targets += targets }
        case "secruleupdatetargetbytag":
            try require(2)
            let targets = try parseTargets(args[1], directive: d)
            try updateRules(
                where: { $0.actions.tags.contains(args[0]) }, description: "tag \(args[0])", d, allowNone: true
            ) {
                $0.targets += targets
            }
        case "secruleupdatetargetbymsg":
            try require(2)
            let targets = try parseTargets(args[1], directive: d)
            try updateRules(
                where: { $0.actions.message?.text == args[0] }, description: "msg \(args[0])", d, allowNone: true
            ) {
                $0.targets += targets
            }
        case "secruleupdateactionbyid":
            try require(2)
            let idText = args[0].split(separator: ":").first.map(String.init) ?? args[0]
            let range = try parseRange(idText, d)
            let update = try parseActions(args[1], directive: d, isChainLink: true)
            try updateRules(where: { range.contains($0.id) }, description: "id \(args[0])", d) { rule in
                rule.actions.merge(update)
                if update.hasTransformations {
                    rule.transformations =
                        update.transformationsReset
                        ? update.transformations : rule.transformations + update.transformations
                }
            }
            try reinternChains()
        case "secruleengine":
            try require(1)
            guard let mode = EngineMode.parse(args[0]) else {
                throw RuleLoadError(
                    .invalidValue, file: d.file, line: d.line,
                    "SecRuleEngine expects On, Off or DetectionOnly, got '\(args[0])'")
            }
            settings.ruleEngine = mode
        case "secrequestbodyaccess": settings.requestBodyAccess = try onOff()
        case "secresponsebodyaccess": settings.responseBodyAccess = try onOff()
        case "secrequestbodylimit": settings.requestBodyLimit = try integer()
        case "secrequestbodynofileslimit": settings.requestBodyNoFilesLimit = try integer()
        case "secresponsebodylimit": settings.responseBodyLimit = try integer()
        case "secargumentslimit": settings.argumentsLimit = try integer()
        case "secrequestbodyjsondepthlimit": settings.jsonDepthLimit = try integer()
        case "secuploadfilelimit": settings.uploadFileLimit = try integer()
        case "seccollectiontimeout": settings.collectionTimeout = try integer()
        case "secrequestbodylimitaction", "secresponsebodylimitaction":
            try require(1)
            let reject: Bool
            switch args[0].lowercased() {
            case "reject": reject = true
            case "processpartial": reject = false
            default:
                throw RuleLoadError(
                    .invalidValue, file: d.file, line: d.line,
                    "\(d.name) expects Reject or ProcessPartial, got '\(args[0])'")
            }
            if d.name.lowercased() == "secrequestbodylimitaction" {
                settings.requestBodyLimitActionReject = reject
            } else {
                settings.responseBodyLimitActionReject = reject
            }
        case "secresponsebodymimetype":
            try require(1)
            settings.responseBodyMimeTypes = args.flatMap { $0.split(separator: " ").map { $0.lowercased() } }
        case "secresponsebodymimetypesclear":
            settings.responseBodyMimeTypes = []
        case "seccomponentsignature":
            try require(1)
            settings.componentSignatures.append(args[0])
        case "secargumentseparator":
            try require(1)
            guard args[0].utf8.count == 1, let b = args[0].utf8.first else {
                throw RuleLoadError(
                    .invalidValue, file: d.file, line: d.line, "SecArgumentSeparator expects one character")
            }
            settings.argumentSeparator = b
        case "secauditengine":
            try require(1)
            settings.auditEngine = args[0]
        case "secauditlogparts":
            try require(1)
            settings.auditLogParts = args[0]
        case "secauditlog", "secauditlog2", "secauditlogtype", "secauditlogstoragedir", "secauditlogrelevantstatus",
            "secauditlogformat", "secauditlogdirmode", "secauditlogfilemode", "secdebuglog", "secdebugloglevel",
            "sectmpdir", "secdatadir", "secuploaddir", "secuploadkeepfiles", "secuploadfilemode", "secpcrematchlimit",
            "secpcrematchlimitrecursion", "seccookieformat", "secunicodemapfile", "secstatusengine",
            "secserversignature", "secrequestbodyinmemorylimit", "sectmpsaveuploadedfiles", "secxmlexternalentity",
            "secwebappid", "secsensorid", "sechttpblkey", "secgeolookupdb", "secconnengine", "seccookiev0separator",
            "secruleinheritance", "secruleperftime", "secstreaminbodyinspection", "secstreamoutbodyinspection",
            "secinterceptonerror", "secdisablebackendcompression", "secunicodecodepage", "secruleenginemode":
            settings.recorded[d.name] = args.joined(separator: " ")
        default:
            throw RuleLoadError(.unknownDirective, file: d.file, line: d.line, "unknown directive '\(d.name)'")
        }
    }

    func parseRange(_ text: String, _ d: DirectiveLine) throws(RuleLoadError) -> ClosedRange<Int> {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 1, let v = Int(text) { return v...v }
        if parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), a <= b { return a...b }
        throw RuleLoadError(.invalidValue, file: d.file, line: d.line, "invalid rule id or range '\(text)'")
    }

    mutating func removeRules(_ predicate: (Rule) -> Bool) {
        entries.removeAll { entry in
            if case .rule(let r) = entry { return predicate(r) }
            return false
        }
    }

    mutating func updateRules(
        where predicate: (Rule) -> Bool, description: String, _ d: DirectiveLine, allowNone: Bool = false,
        _ update: (inout Rule) -> Void
    ) throws(RuleLoadError) {
        var found = false
        for i in entries.indices {
            if case .rule(var r) = entries[i], predicate(r) {
                update(&r)
                entries[i] = .rule(r)
                found = true
            }
        }
        if !found && !allowNone {
            throw RuleLoadError(
                .unknownRuleID, file: d.file, line: d.line,
                "\(d.name): no loaded rule has \(description) (it must come after the rules it updates)")
        }
    }

    mutating func reinternChains() throws(RuleLoadError) {
        for i in entries.indices {
            if case .rule(var r) = entries[i] {
                r.transformationChainID = internChain(r.transformations)
                entries[i] = .rule(r)
            }
        }
    }

    mutating func internChain(_ chain: [Transformation]) -> Int {
        let key = chain.map(\.rawValue).joined(separator: ",")
        if let id = chainIDs[key] { return id }
        let id = chainIDs.count
        chainIDs[key] = id
        return id
    }
}

extension EngineMode {
    static func parse(_ text: String) -> EngineMode? {
        switch text.lowercased() {
        case "on": return .on
        case "off": return .off
        case "detectiononly": return .detectionOnly
        default: return nil
        }
    }
}

extension RuleActions {
    /// Applies `SecRuleUpdateActionById` actions: scalars replace, lists append.
    mutating func merge(_ other: RuleActions) {
        if let v = other.message { message = v }
        if let v = other.logData { logData = v }
        tags += other.tags
        if let v = other.severity { severity = v }
        if let v = other.version { version = v }
        if let v = other.revision { revision = v }
        if let v = other.maturity { maturity = v }
        if let v = other.accuracy { accuracy = v }
        if other.capture { capture = true }
        if other.multiMatch { multiMatch = true }
        setVars += other.setVars
        controls += other.controls
        if other.skip > 0 { skip = other.skip }
        if let v = other.skipAfter { skipAfter = v }
        if let v = other.disruptive { disruptive = v }
        if let v = other.status { status = v }
        if let v = other.log { log = v }
        if let v = other.auditLog { auditLog = v }
    }
}
