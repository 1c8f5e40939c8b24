import TollgateConfig
import TollgateMetrics
import TollgateRules

/// Where the rule inspector reports: rule-match and engine-error metrics, and audit records of refused
/// requests (redacted).
public struct RuleObservers: Sendable {
    public var metrics: TollgateMetrics?
    /// Audit lines (`AuditLine`) of blocked requests, and of requests detect mode would
    /// have blocked; nil: none.
    public var auditLog: (any LogSink)?
    public var hasher: ClientKeyHasher
    public var redactor: Redactor

    public init(
        metrics: TollgateMetrics? = nil, auditLog: (any LogSink)? = nil,
        hasher: ClientKeyHasher = ClientKeyHasher(k0: 0, k1: 0), redactor: Redactor = Redactor()
    ) {
        self.metrics = metrics
        self.auditLog = auditLog
        self.hasher = hasher
        self.redactor = redactor
    }
}

/// The rule engine in the proxy: one compiled ruleset, the configured mode and per-function overrides.
///
/// Immutable; a reload builds a new inspector and swaps it with `ProxyServer.reload(_:inspector:)`.
public final class RuleInspector: RequestInspector {
    public let engine: Engine
    let defaultMode: RulesMode
    /// Functions whose mode differs from the default.
    let functionModes: [String: RulesMode]
    let observers: RuleObservers
    /// Rule-match counters of this ruleset (resolved at load).
    let ruleMetrics: RuleMetricsTable?
    /// Redaction patterns of the ruleset's `tollgate-redact/` tags, compiled on first use.
    let redactionPatterns = RedactionPatterns()

    /// - Parameters:
    ///   - ruleSet: the compiled ruleset (see `RulesetComposer`).
    ///   - rules: the `rules:` section (mode and per-function overrides).
    public init(ruleSet: RuleSet, rules: RulesConfiguration, observers: RuleObservers = RuleObservers()) {
        let mode = RulesMode(rules.mode)
        self.engine = Engine(ruleSet: ruleSet, mode: mode == .off ? .block : mode)
        self.defaultMode = mode
        var modes: [String: RulesMode] = [:]
        for (name, override) in rules.functionOverrides {
            if let overridden = override.mode { modes[name] = RulesMode(overridden) }
        }
        self.functionModes = modes
        self.observers = observers
        self.ruleMetrics = observers.metrics?.configureRules(ids: ruleSet.ruleIDs)
    }

    /// Rules in the loaded ruleset.
    public var ruleCount: Int { engine.ruleSet.ruleCount }

    public func begin(_ request: InspectedRequest) -> (any InspectionTransaction)? {
        let mode = functionModes.isEmpty ? defaultMode : (functionModes[request.functionName] ?? defaultMode)
        if mode == .off { return nil }
        var headers: [TollgateRules.HeaderField] = []
        headers.reserveCapacity(request.headers.count)
        for header in request.headers {
            headers.append(TollgateRules.HeaderField(name: header.name, value: header.value))
        }
        let input = RequestInput(
            method: request.method, target: request.target,
            version: request.minorVersion == 0 ? Array("HTTP/1.0".utf8) : Array("HTTP/1.1".utf8), headers: headers,
            remoteAddress: String(decoding: request.clientAddress, as: UTF8.self), remotePort: 0,
            uniqueID: String(decoding: request.requestID, as: UTF8.self))
        let transaction = engine.transaction(for: input, options: TransactionOptions(mode: mode))
        return RuleTransaction(inspector: self, transaction: transaction, request: request)
    }
}

extension RulesMode {
    init(_ mode: RulesConfiguration.Mode) {
        switch mode {
        case .block: self = .block
        case .detect: self = .detect
        case .off: self = .off
        }
    }
}

/// One request's engine transaction, driven by the proxy through phases 1-5.
final class RuleTransaction: InspectionTransaction {
    let inspector: RuleInspector
    let transaction: Transaction
    let request: InspectedRequest
    var responseBody: [UInt8] = []
    var bufferResponse = false
    var finished = false
    /// The blocked response was sent with its secrets redacted instead.
    var redacted = false

    init(inspector: RuleInspector, transaction: Transaction, request: InspectedRequest) {
        self.inspector = inspector
        self.transaction = transaction
        self.request = request
    }

    static func map(_ verdict: Verdict) -> InspectionVerdict {
        switch verdict {
        case .allow: .allow
        case .block(let status, _): .block(status: (400...599).contains(status) ? status : 403)
        case .drop, .redirect: .block(status: 403)
        }
    }

    func inspectRequestHead() -> InspectionVerdict { Self.map(transaction.processRequestHeaders()) }

    var wantsRequestBody: Bool { transaction.wantsRequestBody }

    var holdsResponseBody: Bool { bufferResponse }

    func inspectRequestBody(_ body: UnsafeRawBufferPointer, truncated: Bool) -> InspectionVerdict {
        Self.map(transaction.processRequestBody(Array(body), truncated: truncated))
    }

    func inspectResponseHead(status: Int, headers: [InspectedHeader]) -> InspectionVerdict {
        let input = ResponseInput(
            status: status, headers: headers.map { TollgateRules.HeaderField(name: $0.name, value: $0.value) })
        let verdict = Self.map(transaction.processResponseHeaders(input))
        bufferResponse = transaction.wantsResponseBody
        return verdict
    }

    func inspectResponseBody(_ chunk: UnsafeRawBufferPointer, isFinal: Bool) -> InspectionVerdict {
        if bufferResponse && !chunk.isEmpty {
            // One byte over the engine's limit is enough for it to see the overflow.
            let room = transaction.responseBodyInspectionLimit + 1 - responseBody.count
            if room > 0 { responseBody.append(contentsOf: chunk.prefix(room)) }
        }
        guard isFinal else { return .allow }
        return Self.map(transaction.processResponseBody(responseBody))
    }

    func replacementForBlockedResponse(head: [UInt8], body: ArraySlice<UInt8>) -> [UInt8]? {
        guard let replacement = redactedResponse(head: head, body: body) else { return nil }
        redacted = true
        return replacement
    }

    var summary: InspectionSummary {
        InspectionSummary(
            evaluated: true, matchedRuleIDs: transaction.matchedRules.filter(\.logged).map(\.id),
            anomalyScore: transaction.anomalyScores.inbound)
    }

    func finish(status: Int) {
        guard !finished else { return }
        finished = true
        transaction.runLoggingPhase()
        let observers = inspector.observers
        if let table = inspector.ruleMetrics {
            for rule in transaction.matchedRules where rule.logged {
                table.recordMatch(ruleId: rule.id)
                if let category = Self.category(rule.tags) { table.recordCategory(category) }
            }
        }
        if let metrics = observers.metrics {
            for error in transaction.operatorErrors { metrics.recordRuleEngineError(kind: Self.errorKind(error)) }
        }
        guard let sink = observers.auditLog else { return }
        let blocked = transaction.verdict.isDisruptive
        guard blocked || transaction.wouldBlock != nil else { return }
        let matches = transaction.matchedRules.filter(\.logged).map { rule in
            AuditLine.Match(
                ruleId: rule.id, message: rule.message, severity: rule.severity.map(Self.severityName) ?? "",
                variable: rule.matchedVariableName, data: rule.logData)
        }
        let record = AuditLine(
            requestId: String(decoding: request.requestID, as: UTF8.self), function: request.functionName,
            clientKeyHash: observers.hasher.pseudonym(request.clientAddress),
            method: String(decoding: request.method, as: UTF8.self),
            path: String(decoding: request.target.prefix(2048), as: UTF8.self), status: status,
            action: blocked && !redacted ? RequestAction.blocked : RequestAction.allowed,
            anomalyScore: transaction.anomalyScores.inbound, matches: matches)
        sink.write(record.render(redactor: observers.redactor))
    }

    /// The anomaly category of a rule from its CRS-style tags (`attack-sqli` -> `sqli`).
    static func category(_ tags: [String]) -> String? {
        for tag in tags where tag.hasPrefix("attack-") {
            let name = String(tag.dropFirst(7))
            if name.hasPrefix("injection-") { return String(name.dropFirst(10)) }
            if name == "reputation-scanner" { return "scanner" }
            if name == "fixation" { return "session_fixation" }
            return name.replacingOccurrences(of: "-", with: "_")
        }
        return nil
    }

    static func errorKind(_ text: String) -> RuleEngineErrorKind {
        let lower = text.lowercased()
        if lower.contains("match limit") || lower.contains("matchlimit") { return .matchLimit }
        if lower.contains("depth") { return .depthLimit }
        if lower.contains("heap") { return .heapLimit }
        return .other
    }

    static func severityName(_ severity: Int) -> String {
        ["EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG"][max(0, min(7, severity))]
    }
}
