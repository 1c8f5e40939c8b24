import Foundation
import Yams

extension ConfigurationDecoder {
    static let rootKeys = [
        "listen", "admin_listen", "admin_token", "admin_token_file", "workers", "http", "functions", "rules", "limits",
        "logging", "metrics",
    ]

    /// Default `listen:` when the key is absent.
    static let defaultListen = ListenAddress(host: "127.0.0.1", port: 8080)

    /// The whole document.
    func decodeRoot(_ root: Node?) -> TollgateConfiguration? {
        guard let root else {
            report(.missingKey, "", at: nil, "the configuration is empty; declare at least `listen:` and `functions:`")
            return nil
        }
        guard let entries = mapping(root, "", allowed: Self.rootKeys) else { return nil }

        var listen = Self.defaultListen
        if let node = entries["listen"], let address = listenAddress(node, "listen") {
            listen = address
        }
        var adminListen: ListenAddress?
        if let node = entries["admin_listen"] {
            adminListen = listenAddress(node, "admin_listen")
            if let adminListen, adminListen == listen, listen.port != 0 {
                report(
                    .conflict, "admin_listen", at: node, "must differ from listen (\(listen)); both use \(adminListen)")
            }
        }
        var workers = Self.onlineCores
        if let node = entries["workers"], let value = integer(node, "workers", in: 1...1024) {
            workers = value
        }
        var http = HTTPSettings()
        if let node = entries["http"] {
            http = decodeHTTP(node, "http")
        }
        var functions: [FunctionConfiguration] = []
        if let node = entries["functions"] {
            functions = decodeFunctions(node, "functions")
        }
        let functionNames = functions.map(\.name)
        var rules: RulesConfiguration?
        if let node = entries["rules"] {
            rules = decodeRules(node, "rules", functionNames: functionNames)
        }
        var limits: LimitsConfiguration?
        if let node = entries["limits"] {
            limits = decodeLimits(node, "limits", functionNames: functionNames)
        }
        let adminToken = decodeAdminToken(entries, adminListen: adminListen)
        var logging = LoggingConfiguration()
        if let node = entries["logging"] {
            logging = decodeLogging(node, "logging")
        }
        var metrics = MetricsConfiguration()
        if let node = entries["metrics"] {
            metrics = decodeMetrics(node, "metrics")
        }
        return TollgateConfiguration(
            listen: listen, adminListen: adminListen, workers: workers, http: http, functions: functions,
            rules: rules, limits: limits, adminToken: adminToken, logging: logging, metrics: metrics,
            sourceFile: file)
    }

    /// `admin_token:` or `admin_token_file:` (first line, trimmed); one is required when `admin_listen` is
    /// not a loopback address.
    func decodeAdminToken(_ entries: MappingEntries, adminListen: ListenAddress?) -> String? {
        var token: String?
        if let node = entries["admin_token"], let text = string(node, "admin_token") {
            if text.count < 16 {
                report(.invalidValue, "admin_token", at: node, "must be at least 16 characters long")
            } else {
                token = text
            }
        }
        if let node = entries["admin_token_file"], let text = string(node, "admin_token_file") {
            if entries["admin_token"] != nil {
                report(.conflict, "admin_token_file", at: node, "give admin_token or admin_token_file, not both")
            } else {
                let path = resolve(text)
                if let data = FileManager.default.contents(atPath: path) {
                    let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first ?? ""
                    let trimmed = line.trimmingCharacters(in: .whitespaces)
                    if trimmed.count < 16 {
                        report(
                            .invalidValue, "admin_token_file", at: node,
                            "the token in \(path) must be at least 16 characters long")
                    } else {
                        token = trimmed
                    }
                } else {
                    report(.fileNotFound, "admin_token_file", at: node, "cannot read \(path)")
                }
            }
        }
        if let adminListen, token == nil, entries["admin_token"] == nil, entries["admin_token_file"] == nil,
            !Self.isLoopback(adminListen.host)
        {
            report(
                .missingKey, "admin_token", at: entries["admin_listen"],
                "is required when admin_listen (\(adminListen)) is not a loopback address: /metrics would be open to the network"
            )
        }
        return token
    }

    static func isLoopback(_ host: String) -> Bool { host.hasPrefix("127.") || host == "::1" }

    /// `logging:` access_log / audit_log: stderr | off | PATH.
    func decodeLogging(_ node: Node, _ path: String) -> LoggingConfiguration {
        var logging = LoggingConfiguration()
        guard let entries = mapping(node, path, allowed: ["access_log", "audit_log"]) else { return logging }
        func destination(_ key: String) -> LoggingConfiguration.Destination? {
            guard let value = entries[key], let text = string(value, entries.childPath(key)) else { return nil }
            switch text {
            case "stderr": return .stderr
            case "off": return .off
            case "":
                report(.invalidValue, entries.childPath(key), at: value, "must be stderr, off or a file path, got ''")
                return nil
            default:
                let resolved = resolve(text)
                let directory = (resolved as NSString).deletingLastPathComponent
                var isDirectory: ObjCBool = false
                if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory)
                    || !isDirectory.boolValue
                {
                    report(
                        .fileNotFound, entries.childPath(key), at: value, "the directory \(directory) does not exist")
                    return nil
                }
                return .file(resolved)
            }
        }
        if let value = destination("access_log") { logging.accessLog = value }
        if let value = destination("audit_log") { logging.auditLog = value }
        return logging
    }

    /// `metrics:` enabled: true | false.
    func decodeMetrics(_ node: Node, _ path: String) -> MetricsConfiguration {
        var metrics = MetricsConfiguration()
        guard let entries = mapping(node, path, allowed: ["enabled"]) else { return metrics }
        if let value = entries["enabled"], let flag = boolean(value, entries.childPath("enabled")) {
            metrics.enabled = flag
        }
        return metrics
    }

    /// Online cores, the default for `workers:`.
    static var onlineCores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// `host:port` with an IPv4 literal, a bracketed IPv6 literal or `localhost`; port 0 picks a free port.
    func listenAddress(_ node: Node, _ path: String) -> ListenAddress? {
        guard let text = string(node, path) else { return nil }
        let expected = "must be host:port with an IP address, e.g. 127.0.0.1:8080 or [::1]:8080"
        if AddressParsing.parsePort(Substring(text)) != nil {
            report(.invalidAddress, path, at: node, "\(expected), got '\(text)'; did you mean '127.0.0.1:\(text)'?")
            return nil
        }
        guard let (rawHost, portText) = AddressParsing.splitHostPort(text), let portText else {
            report(.invalidAddress, path, at: node, "\(expected), got '\(text)'")
            return nil
        }
        var host = rawHost
        if host == "localhost" { host = "127.0.0.1" }
        guard AddressParsing.isIPv4(host) || (text.hasPrefix("[") && AddressParsing.isIPv6(host)) else {
            report(.invalidAddress, path, at: node, "\(expected), got '\(text)': '\(rawHost)' is not an IP address")
            return nil
        }
        guard let port = AddressParsing.parsePort(portText) else {
            report(.invalidAddress, path, at: node, "\(expected), got '\(text)': the port is not a number")
            return nil
        }
        guard port <= 65535 else {
            report(.outOfRange, path, at: node, "port must be between 0 and 65535 (0 picks a free port), got \(port)")
            return nil
        }
        return ListenAddress(host: host, port: port)
    }

    /// `http:` protocol limits and timeouts.
    func decodeHTTP(_ node: Node, _ path: String) -> HTTPSettings {
        var settings = HTTPSettings()
        let keys = [
            "max_request_line_bytes", "max_header_bytes", "max_header_count", "max_body_bytes",
            "inspection_buffer_bytes", "header_timeout_ms", "body_timeout_ms", "keepalive_timeout_ms",
            "max_connections",
        ]
        guard let entries = mapping(node, path, allowed: keys) else { return settings }
        let oneGiB = 1 << 30
        let day = 86_400_000
        func bytes(_ key: String, max: Int, _ apply: (Int) -> Void) {
            if let value = entries[key], let parsed = byteSize(value, entries.childPath(key), in: 1...max) {
                apply(parsed)
            }
        }
        func int(_ key: String, max: Int, unit: String, _ apply: (Int) -> Void) {
            if let value = entries[key], let parsed = integer(value, entries.childPath(key), in: 1...max, unit: unit) {
                apply(parsed)
            }
        }
        bytes("max_request_line_bytes", max: 1 << 20) { settings.maxRequestLineBytes = $0 }
        bytes("max_header_bytes", max: 16 << 20) { settings.maxHeaderBytes = $0 }
        int("max_header_count", max: 10_000, unit: "") { settings.maxHeaderCount = $0 }
        bytes("max_body_bytes", max: 64 * oneGiB) { settings.maxBodyBytes = $0 }
        bytes("inspection_buffer_bytes", max: oneGiB) { settings.inspectionBufferBytes = $0 }
        int("header_timeout_ms", max: day, unit: "milliseconds") { settings.headerTimeoutMilliseconds = $0 }
        int("body_timeout_ms", max: day, unit: "milliseconds") { settings.bodyTimeoutMilliseconds = $0 }
        int("keepalive_timeout_ms", max: day, unit: "milliseconds") { settings.keepAliveTimeoutMilliseconds = $0 }
        int("max_connections", max: 10_000_000, unit: "") { settings.maxConnections = $0 }

        if settings.maxRequestLineBytes > settings.maxHeaderBytes {
            report(
                .conflict, entries.childPath("max_request_line_bytes"),
                at: entries["max_request_line_bytes"] ?? entries["max_header_bytes"],
                "must not exceed max_header_bytes (\(settings.maxHeaderBytes)): the request head includes the "
                    + "request line, got \(settings.maxRequestLineBytes)")
        }
        return settings
    }
}
