/// Package hooks for a shared store (the Redis backend in TollgateProxy): it runs the same arithmetic in
/// Lua and needs the compiled limits, and to build the same `LimitDecision` values the local limiter
/// returns. Nothing here changes local behaviour.

/// One function's limits in the units a store works in (integers; times in nanoseconds).
package struct SharedFunctionLimits: Sendable {
    package let name: String
    package let limits: FunctionLimits
    package let clientRate: GCRALimit?
    package let functionRate: GCRALimit?
    /// `RateLimit-Policy` value, rendered once.
    package let policyField: String
    package let timeoutNanoseconds: UInt64
    package let permitTTLNanoseconds: UInt64
    /// EWMA weight, nil with `reservation: timeout`.
    package let smoothing: Double?
    package let clientBudget: SharedBudget?
    package let functionBudget: SharedBudget?
}

/// A budget in fixed point: picodollars and micro-GB-seconds, window and sub-buckets.
package struct SharedBudget: Sendable {
    package let maxPicodollars: UInt64?
    package let maxMicroGBSeconds: UInt64?
    package let windowNanoseconds: UInt64
    package let buckets: Int
    package let degradeTo: String?
}

extension Limiter {
    /// The compiled limits of `function` (validated at load).
    package func sharedLimits(of function: FunctionID) -> SharedFunctionLimits {
        let f = compiled[Int(function.index)]
        func budget(_ b: CompiledBudget?, _ settings: BudgetSettings?, buckets: Int) -> SharedBudget? {
            guard let b else { return nil }
            return SharedBudget(
                maxPicodollars: b.maxPicodollars, maxMicroGBSeconds: b.maxMicroGBSeconds,
                windowNanoseconds: b.windowNanoseconds, buckets: buckets, degradeTo: settings?.degradeTo)
        }
        return SharedFunctionLimits(
            name: f.name, limits: f.limits, clientRate: f.clientRate, functionRate: f.functionRate,
            policyField: f.policyField, timeoutNanoseconds: f.timeoutNanoseconds, permitTTLNanoseconds: f.permitTTL,
            smoothing: f.smoothing,
            clientBudget: budget(
                f.clientBudget, f.limits.perClientBudget, buckets: configuration.clientBudgetBuckets),
            functionBudget: budget(
                f.functionBudget, f.limits.perFunctionBudget, buckets: configuration.functionBudgetBuckets))
    }
}

extension Permit {
    package init(storeID: UInt64, function: FunctionID) {
        self.init(id: storeID, function: function)
    }
}

extension RateLimitHeaders {
    package init(
        storePolicy policy: String, client: (remaining: Int, resetNanoseconds: UInt64)?,
        function: (remaining: Int, resetNanoseconds: UInt64)?, retryAfter: UInt64?
    ) {
        self.init(
            policy: policy,
            client: client.map {
                ServiceLimit(remaining: $0.remaining, resetSeconds: Nanoseconds.secondsRoundedUp($0.resetNanoseconds))
            },
            function: function.map {
                ServiceLimit(remaining: $0.remaining, resetSeconds: Nanoseconds.secondsRoundedUp($0.resetNanoseconds))
            },
            retryAfterSeconds: retryAfter.map { max(1, Nanoseconds.secondsRoundedUp($0)) })
    }
}

extension Admission {
    package init(
        storePermit permit: Permit, reserved: Cost, startedAt: UInt64, headers: RateLimitHeaders,
        clientBudgetRemaining: BudgetRemaining?, shadowRejection: LimitKind?, degradedTo: Degradation?
    ) {
        self.init(
            permit: permit, reserved: reserved, startedAt: startedAt, headers: headers,
            clientBudgetRemaining: clientBudgetRemaining, shadowRejection: shadowRejection, degradedTo: degradedTo)
    }
}

extension BudgetRemaining {
    package init(storeDollars dollars: Double?, gbSeconds: Double?) {
        self.init(dollars: dollars, gbSeconds: gbSeconds)
    }
}

extension Degradation {
    package init(storeKind kind: LimitKind, upstream: String) { self.init(kind: kind, upstream: upstream) }
}

extension Rejection {
    package init(
        storeKind kind: LimitKind, retryAfter: UInt64, function: String, headers: RateLimitHeaders,
        budgetRemaining: BudgetRemaining?
    ) {
        self.init(
            kind: kind, retryAfter: retryAfter, function: function, headers: headers, budgetRemaining: budgetRemaining,
            message: nil)
    }
}

extension LimitKind {
    /// Position in the enforcement order (0 = client rate ... 5 = function budget).
    package var storeIndex: Int { index }

    package init?(storeIndex: Int) {
        guard let kind = LimitKind.allCases.first(where: { $0.index == storeIndex }) else { return nil }
        self = kind
    }
}
