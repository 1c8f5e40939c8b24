/// One header field as received (name case preserved).
public struct HeaderField: Sendable, Equatable {
    public var name: [UInt8]
    public var value: [UInt8]
    public init(name: [UInt8], value: [UInt8]) {
        self.name = name
        self.value = value
    }
    public init(_ name: String, _ value: String) {
        self.name = Array(name.utf8)
        self.value = Array(value.utf8)
    }
}

/// A parsed request head, as the proxy hands it to the engine.
public struct RequestInput: Sendable {
    public var method: [UInt8]
    /// The request-target exactly as received (origin-form `/path?query` or absolute-form).
    public var target: [UInt8]
    /// `HTTP/1.1`, `HTTP/1.0`, ...
    public var version: [UInt8]
    public var headers: [HeaderField]
    public var remoteAddress: String
    public var remotePort: Int
    public var serverAddress: String
    public var serverPort: Int
    /// Unique id for UNIQUE_ID and the audit record; generated when nil.
    public var uniqueID: String?

    public init(
        method: String, target: String, version: String = "HTTP/1.1", headers: [HeaderField],
        remoteAddress: String = "127.0.0.1", remotePort: Int = 0, serverAddress: String = "127.0.0.1",
        serverPort: Int = 80, uniqueID: String? = nil
    ) {
        self.init(
            method: Array(method.utf8), target: Array(target.utf8), version: Array(version.utf8), headers: headers,
            remoteAddress: remoteAddress, remotePort: remotePort, serverAddress: serverAddress,
            serverPort: serverPort, uniqueID: uniqueID)
    }

    public init(
        method: [UInt8], target: [UInt8], version: [UInt8], headers: [HeaderField], remoteAddress: String,
        remotePort: Int, serverAddress: String = "127.0.0.1", serverPort: Int = 80, uniqueID: String? = nil
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.remoteAddress = remoteAddress
        self.remotePort = remotePort
        self.serverAddress = serverAddress
        self.serverPort = serverPort
        self.uniqueID = uniqueID
    }
}

/// A response head from the upstream (phase 3).
public struct ResponseInput: Sendable {
    public var status: Int
    public var version: [UInt8]
    public var headers: [HeaderField]
    public init(status: Int, version: String = "HTTP/1.1", headers: [HeaderField]) {
        self.status = status
        self.version = Array(version.utf8)
        self.headers = headers
    }
}

/// What the proxy must do with the request or response.
public enum Verdict: Sendable, Equatable {
    case allow
    /// Answer with `status` instead of forwarding (`deny`, an anomaly threshold, a limit overflow).
    case block(status: Int, ruleID: Int)
    /// Close the connection without answering (`drop`).
    case drop(ruleID: Int)
    /// Answer with a redirect to `location`.
    case redirect(status: Int, location: String, ruleID: Int)

    public var isDisruptive: Bool { self != .allow }
}

/// One rule (chain) that matched, as logged.
public struct MatchedRule: Sendable, Equatable {
    public var id: Int
    public var phase: Int
    public var message: String
    public var logData: String
    public var tags: [String]
    /// 0 (EMERGENCY) ... 7 (DEBUG); nil when the rule has none.
    public var severity: Int?
    /// Name of the last matched variable (`ARGS:q`).
    public var matchedVariableName: String
    /// Whether the rule logs (`log`/`nolog`, after defaults); go-ftw sees only these.
    public var logged: Bool
    /// Whether this rule's disruptive action decided the verdict.
    public var disruptive: Bool
}

/// Anomaly scores CRS keeps in TX (read after evaluation).
public struct AnomalyScores: Sendable, Equatable {
    public var inbound: Int
    public var outbound: Int
}

/// The engine's mode as configured in Tollgate (`rules.mode`), on top of `SecRuleEngine`.
public enum RulesMode: String, Sendable, Equatable {
    /// Honour SecRuleEngine / ctl:ruleEngine (disruptive actions take effect when On).
    case block
    /// Evaluate and log, never disrupt (as DetectionOnly).
    case detect
    /// Do not evaluate.
    case off
}
