import TollgateConfig

/// The human summary that `tollgate check` prints for a valid configuration.
enum ConfigurationSummary {
    static func render(_ configuration: TollgateConfiguration, ruleCount: Int? = nil) -> String {
        var lines: [String] = []
        lines.append("\(configuration.sourceFile): OK")
        lines.append("  listen        \(configuration.listen)")
        lines.append("  admin_listen  \(configuration.adminListen.map(\.description) ?? "disabled")")
        lines.append("  workers       \(configuration.workers)")
        let http = configuration.http
        lines.append(
            "  http          head \(bytes(http.maxHeaderBytes)) / \(http.maxHeaderCount) fields, body \(bytes(http.maxBodyBytes)), "
                + "header timeout \(http.headerTimeoutMilliseconds) ms")
        if configuration.functions.isEmpty {
            lines.append("  functions     none declared: every request gets 404")
        } else {
            lines.append("  functions     \(configuration.functions.count)")
            let nameWidth = configuration.functions.map(\.name.count).max() ?? 0
            let routeWidth = configuration.functions.map(\.route.count).max() ?? 0
            for function in configuration.functions {
                var details = ["timeout \(function.timeoutMilliseconds) ms", "\(function.memoryMB) MB"]
                if !function.methods.isEmpty { details.append(function.methods.joined(separator: ",")) }
                if !function.hosts.isEmpty { details.append("hosts " + function.hosts.joined(separator: ",")) }
                if function.stripPrefix { details.append("strip_prefix") }
                if let limit = function.maxBodyBytes { details.append("body \(bytes(limit))") }
                lines.append(
                    "    \(pad(function.name, nameWidth))  \(pad(function.route, routeWidth))  -> \(function.upstream)  "
                        + "(\(details.joined(separator: ", ")))")
            }
        }
        if let rules = configuration.rules {
            var parts = ["mode \(rules.mode.rawValue)", "paranoia \(rules.paranoiaLevel)"]
            if let profile = rules.profile { parts.append("profile \(profile)") }
            if let crsPath = rules.crsPath { parts.append("crs \(crsPath)") }
            parts.append(rules.files.count == 1 ? "1 file" : "\(rules.files.count) files")
            if !rules.functionOverrides.isEmpty {
                parts.append("overrides for " + rules.functionOverrides.keys.sorted().joined(separator: ","))
            }
            if let ruleCount { parts.append("\(ruleCount) rules loaded") }
            lines.append("  rules         \(parts.joined(separator: ", "))")
        } else {
            lines.append("  rules         none")
        }
        if let limits = configuration.limits {
            var parts = [
                "mode \(limits.mode.rawValue)", "store \(limits.store)",
                "client key \(limits.clientKey.map(\.description).joined(separator: "+"))",
            ]
            if let rate = limits.perClient.ratePerSecond {
                parts.append("per client \(rate)/s burst \(limits.perClient.burst ?? max(1, Int(rate)))")
            }
            if !limits.functionOverrides.isEmpty {
                parts.append("overrides for " + limits.functionOverrides.keys.sorted().joined(separator: ","))
            }
            lines.append("  limits        \(parts.joined(separator: ", "))")
        } else {
            lines.append("  limits        none")
        }
        lines.append(
            "  logging       access \(configuration.logging.accessLog), audit \(configuration.logging.auditLog)"
                + (configuration.adminToken != nil ? ", admin token set" : ""))
        return lines.joined(separator: "\n")
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }

    static func bytes(_ value: Int) -> String {
        if value >= 1 << 20 && value % (1 << 20) == 0 { return "\(value >> 20) MiB" }
        if value >= 1 << 10 && value % (1 << 10) == 0 { return "\(value >> 10) KiB" }
        return "\(value) B"
    }
}
