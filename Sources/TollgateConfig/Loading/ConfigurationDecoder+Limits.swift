import Yams

extension ConfigurationDecoder {
    static let limitsKeys = [
        "mode", "store", "store_failure", "store_timeout_ms", "client_key", "trusted_proxies", "max_keys",
        "cost_estimate", "per_client", "per_function", "pricing", "functions",
    ]
    static let limitSetKeys = ["rate_per_second", "burst", "max_concurrent", "budget"]

    /// `limits:` the denial-of-wallet section.
    func decodeLimits(_ node: Node, _ path: String, functionNames: [String]) -> LimitsConfiguration? {
        guard let entries = mapping(node, path, allowed: Self.limitsKeys) else { return nil }
        var limits = LimitsConfiguration()
        let modes = LimitsConfiguration.Mode.allCases
        if let value = entries["mode"],
            let mode = choice(value, entries.childPath("mode"), LimitsConfiguration.Mode.self, allowed: modes)
        {
            limits.mode = mode
        }
        if let value = entries["store"], let store = decodeStore(value, entries.childPath("store")) {
            limits.store = store
        }
        if let value = entries["store_failure"],
            let mode = choice(
                value, entries.childPath("store_failure"), LimitsConfiguration.FailureMode.self,
                allowed: LimitsConfiguration.FailureMode.allCases)
        {
            limits.storeFailure = mode
        }
        if let value = entries["store_timeout_ms"],
            let parsed = integer(value, entries.childPath("store_timeout_ms"), in: 1...60_000, unit: "milliseconds")
        {
            limits.storeTimeoutMilliseconds = parsed
        }
        if let value = entries["client_key"], let key = decodeClientKey(value, entries.childPath("client_key")) {
            limits.clientKey = key
        }
        if let value = entries["trusted_proxies"], let list = stringList(value, entries.childPath("trusted_proxies")) {
            for item in list {
                if Self.isCIDR(item.text) {
                    limits.trustedProxies.append(item.text)
                } else {
                    report(
                        .invalidValue, item.path, at: item.node,
                        "must be an IP address or CIDR block such as 10.0.0.0/8, got '\(item.text)'")
                }
            }
        }
        if let value = entries["max_keys"],
            let parsed = integer(value, entries.childPath("max_keys"), in: 1...100_000_000)
        {
            limits.maxKeys = parsed
        }
        if let value = entries["cost_estimate"],
            let estimate = choice(
                value, entries.childPath("cost_estimate"), LimitsConfiguration.CostEstimate.self,
                allowed: LimitsConfiguration.CostEstimate.allCases)
        {
            limits.costEstimate = estimate
        }
        if let value = entries["per_client"], let set = decodeLimitSet(value, entries.childPath("per_client")) {
            limits.perClient = set
        }
        if let value = entries["per_function"], let set = decodeLimitSet(value, entries.childPath("per_function")) {
            limits.perFunction = set
        }
        if let value = entries["pricing"], let pricing = decodePricing(value, entries.childPath("pricing")) {
            limits.pricing = pricing
        }
        var usesForwarded = limits.clientKey.contains(.forwarded)
        if let value = entries["functions"], let named = namedMapping(value, entries.childPath("functions")) {
            for (name, keyNode, settings) in named {
                let overridePath = "\(entries.childPath("functions")).\(name)"
                guard functionNames.contains(name) else {
                    reportUnknownFunction(name, overridePath, keyNode, functionNames)
                    continue
                }
                let allowed = ["mode", "client_key", "per_client", "per_function", "pricing"]
                guard let fields = mapping(settings, overridePath, allowed: allowed) else { continue }
                var override = FunctionLimitsOverride()
                if let value = fields["mode"] {
                    override.mode = choice(
                        value, fields.childPath("mode"), LimitsConfiguration.Mode.self, allowed: modes)
                }
                if let value = fields["client_key"] {
                    override.clientKey = decodeClientKey(value, fields.childPath("client_key"))
                    usesForwarded = usesForwarded || (override.clientKey?.contains(.forwarded) ?? false)
                }
                if let value = fields["per_client"] {
                    override.perClient = decodeLimitSet(value, fields.childPath("per_client"))
                }
                if let value = fields["per_function"] {
                    override.perFunction = decodeLimitSet(value, fields.childPath("per_function"))
                }
                if let value = fields["pricing"] {
                    override.pricing = decodePricing(value, fields.childPath("pricing"))
                }
                limits.functionOverrides[name] = override
            }
        }
        if usesForwarded && limits.trustedProxies.isEmpty && entries["trusted_proxies"] == nil {
            report(
                .missingKey, entries.childPath("trusted_proxies"), at: entries["client_key"] ?? node,
                "is required when client_key uses 'forwarded': forwarded addresses are believed only from trusted proxies"
            )
        }
        return limits
    }

    /// `local` or `redis://host:port[/db]`.
    func decodeStore(_ node: Node, _ path: String) -> LimitsConfiguration.Store? {
        guard let text = string(node, path) else { return nil }
        if text == "local" { return .local }
        if text.lowercased().hasPrefix("rediss://") {
            report(
                .unsupportedScheme, path, at: node,
                "must be local or redis://host:port, got '\(text)': TLS to Redis is not supported yet")
            return nil
        }
        switch AddressParsing.parseRedisURL(text) {
        case .success(let (host, port, database)):
            return .redis(host: host, port: port, database: database)
        case .failure(.portRange(let port)):
            report(.outOfRange, path, at: node, "port must be between 1 and 65535, got \(port) in '\(text)'")
        case .failure:
            report(
                .invalidValue, path, at: node,
                "must be local or redis://host:port[/db], got '\(text)'" + Suggestion.hint(for: text, in: ["local"]))
        }
        return nil
    }

    /// One source or a list of sources: `ip`, `forwarded`, `header:NAME`, `jwt:CLAIM`.
    func decodeClientKey(_ node: Node, _ path: String) -> [ClientKeySource]? {
        guard let list = stringList(node, path) else { return nil }
        if list.isEmpty {
            report(
                .invalidValue, path, at: node, "must name at least one source: ip | forwarded | header:NAME | jwt:CLAIM"
            )
            return nil
        }
        var sources: [ClientKeySource] = []
        var valid = true
        for item in list {
            let text = item.text
            let source: ClientKeySource?
            if text == "ip" {
                source = .ip
            } else if text == "forwarded" {
                source = .forwarded
            } else if text.hasPrefix("header:"), AddressParsing.isToken(String(text.dropFirst(7))) {
                source = .header(String(text.dropFirst(7)).lowercased())
            } else if text.hasPrefix("jwt:"), Self.isClaimName(text.dropFirst(4)) {
                source = .jwtClaim(String(text.dropFirst(4)))
            } else {
                source = nil
            }
            if let source {
                if !sources.contains(source) { sources.append(source) }
            } else {
                valid = false
                report(
                    .invalidValue, item.path, at: item.node,
                    "must be ip | forwarded | header:NAME | jwt:CLAIM, got '\(text)'"
                        + Suggestion.hint(for: text, in: ["ip", "forwarded"]))
            }
        }
        return valid ? sources : nil
    }

    static func isClaimName(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.count <= 128
            && text.utf8.allSatisfy { AddressParsing.isAlphaNumeric($0) || "_-.:".utf8.contains($0) }
    }

    static func isCIDR(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return false }
        let address = String(parts[0])
        let maxPrefix: Int
        if AddressParsing.isIPv4(address) {
            maxPrefix = 32
        } else if AddressParsing.isIPv6(address) {
            maxPrefix = 128
        } else {
            return false
        }
        guard parts.count == 2 else { return true }
        guard let prefix = AddressParsing.parsePort(parts[1]) else { return false }
        return prefix <= maxPrefix
    }

    func decodeLimitSet(_ node: Node, _ path: String) -> LimitSet? {
        guard let entries = mapping(node, path, allowed: Self.limitSetKeys) else { return nil }
        var set = LimitSet()
        if let value = entries["rate_per_second"] {
            set.ratePerSecond = number(
                value, entries.childPath("rate_per_second"), in: 0...1_000_000_000, exclusiveLower: true)
        }
        if let value = entries["burst"] {
            set.burst = integer(value, entries.childPath("burst"), in: 1...1_000_000_000, unit: "requests")
            if entries["rate_per_second"] == nil {
                report(.missingKey, entries.childPath("rate_per_second"), at: value, "is required when burst is set")
            }
        }
        if let value = entries["max_concurrent"] {
            set.maxConcurrent = integer(
                value, entries.childPath("max_concurrent"), in: 1...10_000_000, unit: "requests")
        }
        if let value = entries["budget"] {
            set.budget = decodeBudget(value, entries.childPath("budget"))
        }
        return set
    }

    func decodeBudget(_ node: Node, _ path: String) -> Budget? {
        guard let entries = mapping(node, path, allowed: ["window_seconds", "gb_seconds", "usd", "degrade_to"]) else {
            return nil
        }
        var budget = Budget()
        if let value = entries["window_seconds"],
            let parsed = integer(value, entries.childPath("window_seconds"), in: 1...31_622_400, unit: "seconds")
        {
            budget.windowSeconds = parsed
        }
        if let value = entries["gb_seconds"] {
            budget.gbSeconds = number(value, entries.childPath("gb_seconds"), in: 0...1e12, exclusiveLower: true)
        }
        if let value = entries["usd"] {
            budget.usd = number(value, entries.childPath("usd"), in: 0...1e12, exclusiveLower: true)
        }
        if let value = entries["degrade_to"] {
            budget.degradeTo = upstream(value, entries.childPath("degrade_to"))
        }
        if entries["gb_seconds"] == nil && entries["usd"] == nil {
            report(.missingKey, entries.childPath("usd"), at: node, "a budget needs gb_seconds, usd or both")
            return nil
        }
        return budget
    }

    func decodePricing(_ node: Node, _ path: String) -> Pricing? {
        guard let entries = mapping(node, path, allowed: ["per_request_usd", "per_gb_second_usd"]) else { return nil }
        var pricing = Pricing()
        if let value = entries["per_request_usd"],
            let parsed = number(value, entries.childPath("per_request_usd"), in: 0...1000)
        {
            pricing.perRequestUSD = parsed
        }
        if let value = entries["per_gb_second_usd"],
            let parsed = number(value, entries.childPath("per_gb_second_usd"), in: 0...1000)
        {
            pricing.perGBSecondUSD = parsed
        }
        return pricing
    }
}
