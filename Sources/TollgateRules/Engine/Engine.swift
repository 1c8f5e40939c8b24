/// The rule engine: an immutable ruleset plus Tollgate's mode. Thread-safe; make one `Transaction` per request.
public final class Engine: Sendable {
    public let ruleSet: RuleSet
    public let mode: RulesMode
    /// Header and argument names (lowercase) whose values are redacted in audit records, in addition to
    /// `Authorization`, `Cookie`, `Set-Cookie` and `Proxy-Authorization`.
    public let redactedFields: Set<String>

    /// Whether an operator error (PCRE2 match or depth limit) blocks the request (default) or only counts.
    public let operatorErrorBlocks: Bool

    public init(
        ruleSet: RuleSet, mode: RulesMode = .block, redactedFields: Set<String> = [], operatorErrorBlocks: Bool = true
    ) {
        self.ruleSet = ruleSet
        self.mode = mode
        self.operatorErrorBlocks = operatorErrorBlocks
        self.redactedFields = Set(redactedFields.map { $0.lowercased() })
            .union(["authorization", "cookie", "set-cookie", "proxy-authorization"])
    }

    /// Starts a transaction for a request head. Call its phase methods in order.
    public func transaction(for request: RequestInput) -> Transaction {
        Transaction(engine: self, request: request)
    }
}
