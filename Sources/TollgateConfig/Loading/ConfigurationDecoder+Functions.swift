import Yams

extension ConfigurationDecoder {
    static let functionKeys = [
        "name", "route", "upstream", "hosts", "methods", "strip_prefix", "timeout_ms", "connect_timeout_ms",
        "memory_mb", "max_body_bytes", "pool",
    ]

    /// `functions:` a list of function mappings; names and routes must be unique.
    func decodeFunctions(_ node: Node, _ path: String) -> [FunctionConfiguration] {
        guard let items = sequence(node, path) else { return [] }
        var functions: [FunctionConfiguration] = []
        var seenNames: [String: String] = [:]
        var seenRoutes: [(route: String, hosts: Set<String>, path: String)] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            let decoded = decodeFunction(item, itemPath)
            // Names and routes are checked for duplicates even when another key of the function is invalid.
            if let name = decoded.name {
                if let first = seenNames[name] {
                    report(
                        .duplicateName, "\(itemPath).name", at: mappingValue(item, "name"),
                        "duplicate function name '\(name)' (first declared at \(first))")
                } else {
                    seenNames[name] = itemPath
                }
            }
            if let route = decoded.route {
                let hosts = Set(decoded.hosts)
                if let clash = seenRoutes.first(where: {
                    $0.route == route && ($0.hosts.isEmpty && hosts.isEmpty || !$0.hosts.isDisjoint(with: hosts))
                }) {
                    report(
                        .duplicateRoute, "\(itemPath).route", at: mappingValue(item, "route"),
                        "route '\(route)' is already claimed by \(clash.path)"
                            + (hosts.isEmpty ? "" : " for an overlapping host"))
                } else {
                    seenRoutes.append((route, hosts, itemPath))
                }
            }
            if let function = decoded.function {
                functions.append(function)
            }
        }
        return functions
    }

    func mappingValue(_ node: Node, _ key: String) -> Node? {
        guard case .mapping(let mapping) = node else { return node }
        return mapping[key] ?? node
    }

    /// One function; `function` is nil when anything in it is invalid, `name` and `route` are set whenever
    /// those keys themselves are valid (for the duplicate checks).
    struct DecodedFunction {
        var function: FunctionConfiguration?
        var name: String?
        var route: String?
        var hosts: [String] = []
    }

    func decodeFunction(_ node: Node, _ path: String) -> DecodedFunction {
        guard let entries = mapping(node, path, allowed: Self.functionKeys) else { return DecodedFunction() }
        var valid = true
        func required(_ key: String) -> Node? {
            guard let value = entries[key] else {
                report(.missingKey, entries.childPath(key), at: node, "is required")
                valid = false
                return nil
            }
            return value
        }
        let name = required("name").flatMap { functionName($0, entries.childPath("name")) }
        let route = required("route").flatMap { self.route($0, entries.childPath("route")) }
        let upstream = required("upstream").flatMap { self.upstream($0, entries.childPath("upstream")) }
        var function = FunctionConfiguration(
            name: name ?? "", route: route ?? "/", upstream: upstream ?? UpstreamAddress(host: "", port: 0))
        if name == nil || route == nil || upstream == nil { valid = false }

        if let value = entries["hosts"], let list = stringList(value, entries.childPath("hosts")) {
            var hosts: [String] = []
            for item in list {
                let host = item.text.lowercased()
                if host.contains(":") && !AddressParsing.isIPv6(host.trimmingBrackets) {
                    report(
                        .invalidValue, item.path, at: item.node,
                        "must be a host name without a port, got '\(item.text)'")
                } else if !(AddressParsing.isHostName(host) || AddressParsing.isIPv4(host)
                    || AddressParsing.isIPv6(host.trimmingBrackets))
                {
                    report(
                        .invalidValue, item.path, at: item.node, "must be a host name or IP address, got '\(item.text)'"
                    )
                } else if !hosts.contains(host) {
                    hosts.append(host)
                }
            }
            function.hosts = hosts
        }
        if let value = entries["methods"], let list = stringList(value, entries.childPath("methods")) {
            var methods: [String] = []
            for item in list {
                let method = item.text.uppercased()
                if !AddressParsing.isToken(method) {
                    report(
                        .invalidValue, item.path, at: item.node,
                        "must be an HTTP method such as GET, got '\(item.text)'")
                } else if !methods.contains(method) {
                    methods.append(method)
                }
            }
            function.methods = methods
        }
        if let value = entries["strip_prefix"], let flag = boolean(value, entries.childPath("strip_prefix")) {
            function.stripPrefix = flag
        }
        if let value = entries["timeout_ms"],
            let parsed = integer(value, entries.childPath("timeout_ms"), in: 1...3_600_000, unit: "milliseconds")
        {
            function.timeoutMilliseconds = parsed
        }
        if let value = entries["connect_timeout_ms"],
            let parsed = integer(value, entries.childPath("connect_timeout_ms"), in: 1...600_000, unit: "milliseconds")
        {
            function.connectTimeoutMilliseconds = parsed
        }
        if let value = entries["memory_mb"],
            let parsed = integer(value, entries.childPath("memory_mb"), in: 1...1_048_576, unit: "MB")
        {
            function.memoryMB = parsed
        }
        if let value = entries["max_body_bytes"],
            let parsed = byteSize(value, entries.childPath("max_body_bytes"), in: 1...(64 << 30))
        {
            function.maxBodyBytes = parsed
        }
        if let value = entries["pool"] {
            decodePool(value, entries.childPath("pool"), into: &function)
        }
        return DecodedFunction(
            function: valid ? function : nil, name: name, route: route, hosts: function.hosts)
    }

    func decodePool(_ node: Node, _ path: String, into function: inout FunctionConfiguration) {
        guard let entries = mapping(node, path, allowed: ["max_idle", "max_total", "idle_timeout_ms"]) else { return }
        if let value = entries["max_idle"],
            let parsed = integer(value, entries.childPath("max_idle"), in: 0...100_000, unit: "connections")
        {
            function.poolMaxIdle = parsed
        }
        if let value = entries["max_total"],
            let parsed = integer(value, entries.childPath("max_total"), in: 1...100_000, unit: "connections")
        {
            function.poolMaxTotal = parsed
        }
        // The workers sweep idle connections every 100 ms: a shorter timeout would not be honoured.
        if let value = entries["idle_timeout_ms"],
            let parsed = integer(value, entries.childPath("idle_timeout_ms"), in: 100...3_600_000, unit: "ms")
        {
            function.poolIdleTimeoutMilliseconds = parsed
        }
        if function.poolMaxIdle > function.poolMaxTotal {
            report(
                .conflict, entries.childPath("max_idle"), at: entries["max_idle"] ?? node,
                "must not exceed max_total (\(function.poolMaxTotal)), got \(function.poolMaxIdle)")
        }
    }

    /// Letters, digits, `-`, `_` and `.`, at most 64 characters (names become log fields and metric labels).
    func functionName(_ node: Node, _ path: String) -> String? {
        guard let text = string(node, path) else { return nil }
        let allowedPunctuation: Set<UInt8> = [UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: ".")]
        guard !text.isEmpty, text.utf8.count <= 64,
            text.utf8.allSatisfy({ AddressParsing.isAlphaNumeric($0) || allowedPunctuation.contains($0) })
        else {
            report(
                .invalidValue, path, at: node,
                "must be 1-64 letters, digits, '-', '_' or '.', got '\(text)'")
            return nil
        }
        return text
    }

    /// A path prefix: starts with `/`, visible ASCII, no query, fragment, percent-escapes or dot segments.
    /// A trailing `/` is dropped (prefixes match on segment boundaries).
    func route(_ node: Node, _ path: String) -> String? {
        guard let text = string(node, path) else { return nil }
        guard text.hasPrefix("/") else {
            report(.invalidRoute, path, at: node, "must start with '/', got '\(text)'; did you mean '/\(text)'?")
            return nil
        }
        if let bad = text.utf8.first(where: { $0 <= 0x20 || $0 >= 0x7F || "?#%\\".utf8.contains($0) }) {
            let shown =
                bad > 0x20 && bad < 0x7F
                ? "'\(Character(Unicode.Scalar(bad)))'" : "a space, control or non-ASCII character"
            report(.invalidRoute, path, at: node, "must be a plain path prefix without \(shown), got '\(text)'")
            return nil
        }
        let segments = text.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if segments.dropLast().contains(where: \.isEmpty) {
            report(.invalidRoute, path, at: node, "must not contain an empty segment ('//'), got '\(text)'")
            return nil
        }
        if segments.contains(where: { $0 == "." || $0 == ".." }) {
            report(.invalidRoute, path, at: node, "must not contain '.' or '..' segments, got '\(text)'")
            return nil
        }
        if text.count > 1 && text.hasSuffix("/") {
            return String(text.dropLast())
        }
        return text
    }

    /// `http://host[:port][/base-path]`; `https://` is refused until TLS support lands.
    func upstream(_ node: Node, _ path: String) -> UpstreamAddress? {
        guard let text = string(node, path) else { return nil }
        let expected = "must be http://host:port"
        let lowered = text.lowercased()
        if lowered.hasPrefix("https://") {
            report(
                .unsupportedScheme, path, at: node,
                "\(expected), got '\(text)': https upstreams are not supported yet (TLS comes later)")
            return nil
        }
        guard lowered.hasPrefix("http://") else {
            let hint = text.contains("://") ? "" : "; did you mean 'http://\(text)'?"
            report(.invalidUpstream, path, at: node, "\(expected), got '\(text)'\(hint)")
            return nil
        }
        let rest = text.dropFirst("http://".count)
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = String(rest[..<authorityEnd])
        var basePath = String(rest[authorityEnd...])
        if authority.contains("@") {
            report(
                .invalidUpstream, path, at: node, "\(expected), got '\(text)': credentials in the URL are not supported"
            )
            return nil
        }
        if basePath.contains("?") || basePath.contains("#")
            || basePath.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7F })
        {
            report(
                .invalidUpstream, path, at: node,
                "\(expected)[/path], got '\(text)': the path must be plain (no query or fragment)")
            return nil
        }
        guard let (host, portText) = AddressParsing.splitHostPort(authority), !host.isEmpty else {
            report(.invalidUpstream, path, at: node, "\(expected), got '\(text)': the host is missing or malformed")
            return nil
        }
        let hostValid =
            authority.hasPrefix("[")
            ? AddressParsing.isIPv6(host) : (AddressParsing.isIPv4(host) || AddressParsing.isHostName(host))
        guard hostValid else {
            report(.invalidUpstream, path, at: node, "\(expected), got '\(text)': '\(host)' is not a valid host")
            return nil
        }
        var port = 80
        if let portText {
            guard let value = AddressParsing.parsePort(portText) else {
                report(.invalidUpstream, path, at: node, "\(expected), got '\(text)': the port is not a number")
                return nil
            }
            guard (1...65535).contains(value) else {
                report(.outOfRange, path, at: node, "port must be between 1 and 65535, got \(value) in '\(text)'")
                return nil
            }
            port = value
        }
        while basePath.hasSuffix("/") { basePath.removeLast() }
        return UpstreamAddress(host: host.lowercased(), port: port, basePath: basePath)
    }
}

extension String {
    var trimmingBrackets: String {
        hasPrefix("[") && hasSuffix("]") ? String(dropFirst().dropLast()) : self
    }
}
