/// The rule engine: an immutable ruleset plus Tollgate's mode. Thread-safe; make one `Transaction` per request.
public final class Engine: Sendable {
    public let ruleSet: RuleSet
    public let mode: RulesMode
    /// Header and argument names (lowercase) whose values are redacted in audit records, in addition to
    /// `Authorization`, `Cookie`, `Set-Cookie` and `Proxy-Authorization`.
    public let redactedFields: Set<String>

    /// Whether an operator error (PCRE2 match or depth limit) blocks the request (default) or only counts.
    public let operatorErrorBlocks: Bool
    /// The ruleset's per-request constant set-up, evaluated once (see `ConstantSetup`).
    let constantSetup: ConstantSetup?

    public convenience init(
        ruleSet: RuleSet, mode: RulesMode = .block, redactedFields: Set<String> = [], operatorErrorBlocks: Bool = true
    ) {
        self.init(
            ruleSet: ruleSet, mode: mode, redactedFields: redactedFields, operatorErrorBlocks: operatorErrorBlocks,
            constantSetup: true)
    }

    /// `constantSetup: false` runs every rule as written on every request.
    init(
        ruleSet: RuleSet, mode: RulesMode = .block, redactedFields: Set<String> = [], operatorErrorBlocks: Bool = true,
        constantSetup: Bool
    ) {
        self.constantSetup = constantSetup ? ConstantSetup.make(ruleSet) : nil
        self.ruleSet = ruleSet
        self.mode = mode
        self.operatorErrorBlocks = operatorErrorBlocks
        precondition(Variable.ordinalsAreDense, "Variable must stay a one-byte fieldless enum")
        self.redactedFields = Set(redactedFields.map { $0.lowercased() })
            .union(["authorization", "cookie", "set-cookie", "proxy-authorization"])
    }

    /// Starts a transaction for a request head. Call its phase methods in order.
    public func transaction(for request: RequestInput, options: TransactionOptions = TransactionOptions())
        -> Transaction
    {
        Transaction(engine: self, request: request, options: options)
    }
}

/// Per-request settings on top of the shared ruleset, e.g. per-function overrides.
public struct TransactionOptions: Sendable {
    /// Overrides the engine's mode for this request (e.g. `.off` for a health route, `.detect` for one function).
    public var mode: RulesMode?
    /// TX variables set before phase 1, e.g. `["blocking_paranoia_level": "2"]`: CRS keeps values that are
    /// already set, so one ruleset serves functions with different paranoia levels.
    public var transactionVariables: [String: String]

    public init(mode: RulesMode? = nil, transactionVariables: [String: String] = [:]) {
        self.mode = mode
        self.transactionVariables = transactionVariables
    }
}
