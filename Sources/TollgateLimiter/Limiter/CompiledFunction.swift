/// Identifies a function's limits inside one `Limiter`; resolve names once with `Limiter.function(named:)`.
public struct FunctionID: Sendable, Hashable {
    let index: UInt16
}

/// A budget limit converted to fixed point, with its window.
struct CompiledBudget: Sendable {
    let maxPicodollars: UInt64?
    let maxMicroGBSeconds: UInt64?
    let window: RollingWindow
    let windowNanoseconds: UInt64
}

/// One function's limits, validated and converted at load time.
struct CompiledFunction: Sendable {
    let name: String
    let limits: FunctionLimits
    let clientRate: GCRALimit?
    let functionRate: GCRALimit?
    let clientBudget: CompiledBudget?
    let functionBudget: CompiledBudget?
    let timeoutNanoseconds: UInt64
    let permitTTL: UInt64
    let smoothing: Double?
    /// `RateLimit-Policy` value, rendered once.
    let policyField: String
    let functionCap: Int?

    init(
        name: String, limits: FunctionLimits, clientLanes: (money: Int?, gbs: Int?), clientBuckets: Int,
        functionBuckets: Int
    ) throws(LimiterConfigurationError) {
        func fail(_ code: LimiterConfigurationError.Code, _ message: String) -> LimiterConfigurationError {
            LimiterConfigurationError(code, message, function: name)
        }
        self.name = name
        self.limits = limits
        do {
            clientRate = try limits.perClientRate.map { s throws(LimiterConfigurationError) in
                try GCRALimit(ratePerSecond: s.ratePerSecond, burst: s.burst)
            }
            functionRate = try limits.perFunctionRate.map { s throws(LimiterConfigurationError) in
                try GCRALimit(ratePerSecond: s.ratePerSecond, burst: s.burst)
            }
        } catch {
            throw LimiterConfigurationError(error.code, error.message, function: name)
        }
        let c = limits.concurrency
        if let cap = c.perFunction, cap < 1 || cap > 65_535 {
            throw fail(.invalidConcurrency, "concurrency.per_function must be in 1...65535, got \(cap)")
        }
        if let cap = c.perClient, cap < 1 || cap > 65_535 {
            throw fail(.invalidConcurrency, "concurrency.per_client must be in 1...65535, got \(cap)")
        }
        if c.fairShareFloor < 1 {
            throw fail(.invalidConcurrency, "concurrency.fair_share_floor must be at least 1")
        }
        functionCap = c.perFunction
        guard limits.memoryMB >= 1, limits.memoryMB <= 1_048_576 else {
            throw fail(.invalidMemory, "memory_mb must be in 1...1048576, got \(limits.memoryMB)")
        }
        let p = limits.pricing
        guard p.dollarsPerRequest.isFinite, p.dollarsPerRequest >= 0, p.dollarsPerGBSecond.isFinite,
            p.dollarsPerGBSecond >= 0
        else {
            throw fail(.invalidPrice, "prices must be finite and non-negative")
        }
        guard limits.timeoutSeconds.isFinite, limits.timeoutSeconds > 0, limits.timeoutSeconds <= 86_400 else {
            throw fail(.invalidTimeout, "timeout_seconds must be in (0, 86400], got \(limits.timeoutSeconds)")
        }
        timeoutNanoseconds = Nanoseconds.from(seconds: limits.timeoutSeconds)
        let ttl = limits.permitTTLSeconds ?? (limits.timeoutSeconds + 30)
        guard ttl.isFinite, ttl > 0 else { throw fail(.invalidTimeout, "permit_ttl_seconds must be positive") }
        permitTTL = Nanoseconds.from(seconds: ttl)
        switch limits.reservation {
        case .timeout: smoothing = nil
        case .movingAverage(let alpha):
            guard alpha > 0, alpha <= 1 else { throw fail(.invalidSmoothing, "ewma_smoothing must be in (0, 1]") }
            smoothing = alpha
        }
        func budget(_ b: BudgetSettings?, buckets: Int, lanes: Int, field: String) throws(LimiterConfigurationError)
            -> CompiledBudget?
        {
            guard let b else { return nil }
            if b.maxDollars == nil && b.maxGBSeconds == nil { return nil }
            guard b.windowSeconds.isFinite, b.windowSeconds >= 1, b.windowSeconds <= 31 * 86_400 else {
                throw fail(.invalidBudget, "\(field).window_seconds must be in 1...2678400")
            }
            if let d = b.maxDollars, !(d.isFinite && d > 0) {
                throw fail(.invalidBudget, "\(field).max_dollars must be positive")
            }
            if let g = b.maxGBSeconds, !(g.isFinite && g > 0) {
                throw fail(.invalidBudget, "\(field).max_gb_seconds must be positive")
            }
            if let upstream = b.degradeTo, upstream.isEmpty {
                throw fail(.invalidBudget, "\(field).degrade_to must name an upstream")
            }
            let ns = Nanoseconds.from(seconds: b.windowSeconds)
            return CompiledBudget(
                maxPicodollars: b.maxDollars.map { Cost.fixed($0 * 1e12) },
                maxMicroGBSeconds: b.maxGBSeconds.map { Cost.fixed($0 * 1e6) },
                window: RollingWindow(windowNanoseconds: ns, buckets: buckets, lanes: lanes),
                windowNanoseconds: ns
            )
        }
        let clientLaneCount = (clientLanes.money == nil ? 0 : 1) + (clientLanes.gbs == nil ? 0 : 1)
        clientBudget = try budget(
            limits.perClientBudget, buckets: clientBuckets, lanes: clientLaneCount, field: "per_client.budget")
        functionBudget = try budget(
            limits.perFunctionBudget, buckets: functionBuckets, lanes: 2, field: "per_function.budget")

        var items: [String] = []
        if let r = clientRate {
            items.append(
                RateLimitHeaders.policyItem(name: "per_client", quota: r.burst, windowSeconds: r.policyWindowSeconds))
        }
        if let r = functionRate {
            items.append(
                RateLimitHeaders.policyItem(name: "per_function", quota: r.burst, windowSeconds: r.policyWindowSeconds))
        }
        policyField = items.joined(separator: ", ")
    }
}
