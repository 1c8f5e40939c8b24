import Foundation
import Yams

extension ConfigurationDecoder {
    static let rulesKeys = ["mode", "profile", "crs_path", "files", "paranoia_level", "functions", "rulesets_path"]
    static let rulesProfiles = ["recommended", "embedded"]

    /// `rules:` engine mode, profile, CRS location, extra files, paranoia level and per-function overrides.
    func decodeRules(_ node: Node, _ path: String, functionNames: [String]) -> RulesConfiguration? {
        guard let entries = mapping(node, path, allowed: Self.rulesKeys) else { return nil }
        var rules = RulesConfiguration()
        let modes = RulesConfiguration.Mode.allCases
        if let value = entries["mode"],
            let mode = choice(value, entries.childPath("mode"), RulesConfiguration.Mode.self, allowed: modes)
        {
            rules.mode = mode
        }
        if let value = entries["profile"], let text = string(value, entries.childPath("profile")) {
            if Self.rulesProfiles.contains(text) {
                rules.profile = text
            } else {
                report(
                    .invalidValue, entries.childPath("profile"), at: value,
                    "must be one of \(Self.rulesProfiles.joined(separator: " | ")), got '\(text)'"
                        + Suggestion.hint(for: text, in: Self.rulesProfiles))
            }
        }
        if let value = entries["crs_path"], let text = string(value, entries.childPath("crs_path")) {
            if text.isEmpty {
                report(.invalidValue, entries.childPath("crs_path"), at: value, "must be a directory path, got ''")
            } else {
                rules.crsPath = resolve(text)
                marks[entries.childPath("crs_path")] = value.mark
            }
        }
        if rules.profile == "recommended" && rules.crsPath == nil && entries["crs_path"] == nil {
            report(
                .missingKey, entries.childPath("crs_path"), at: entries["profile"],
                "is required by profile 'recommended': the directory of a CRS v4 checkout or Debian's "
                    + "/usr/share/modsecurity-crs")
        }
        if let value = entries["rulesets_path"], let text = string(value, entries.childPath("rulesets_path")) {
            let resolved = resolve(text)
            var isDirectory: ObjCBool = false
            if text.isEmpty || !FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory)
                || !isDirectory.boolValue
            {
                report(
                    .fileNotFound, entries.childPath("rulesets_path"), at: value,
                    "must be the Rulesets directory (with profiles/), got '\(text)'")
            } else {
                rules.rulesetsPath = resolved
            }
        }
        if let value = entries["files"], let list = stringList(value, entries.childPath("files")) {
            for item in list {
                if item.text.isEmpty {
                    report(.invalidValue, item.path, at: item.node, "must be a file path or glob, got ''")
                } else {
                    marks["\(entries.childPath("files"))[\(rules.files.count)]"] = item.node.mark
                    rules.files.append(resolve(item.text))
                }
            }
        }
        if let value = entries["paranoia_level"],
            let level = integer(value, entries.childPath("paranoia_level"), in: 1...4)
        {
            rules.paranoiaLevel = level
        }
        if let value = entries["functions"], let named = namedMapping(value, entries.childPath("functions")) {
            for (name, keyNode, settings) in named {
                let overridePath = "\(entries.childPath("functions")).\(name)"
                guard functionNames.contains(name) else {
                    reportUnknownFunction(name, overridePath, keyNode, functionNames)
                    continue
                }
                guard let fields = mapping(settings, overridePath, allowed: ["mode", "paranoia_level"]) else {
                    continue
                }
                var override = FunctionRulesOverride()
                if let value = fields["mode"] {
                    override.mode = choice(
                        value, fields.childPath("mode"), RulesConfiguration.Mode.self, allowed: modes)
                }
                if let value = fields["paranoia_level"] {
                    override.paranoiaLevel = integer(value, fields.childPath("paranoia_level"), in: 1...4)
                }
                rules.functionOverrides[name] = override
            }
        }
        return rules
    }

    func reportUnknownFunction(_ name: String, _ path: String, _ node: Node, _ functionNames: [String]) {
        let declared =
            functionNames.isEmpty ? "none are declared" : "declared: \(functionNames.joined(separator: ", "))"
        report(
            .unknownFunction, path, at: node,
            "names no declared function '\(name)'\(Suggestion.hint(for: name, in: functionNames)) (\(declared))")
    }
}

extension RulesConfiguration.Mode: CaseIterable {
    public static var allCases: [RulesConfiguration.Mode] { [.block, .detect, .off] }
}
