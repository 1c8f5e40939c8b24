/// A smooth rate with a burst (`rate_per_second`, `burst`), enforced with GCRA.
public struct RateSettings: Sendable, Equatable {
    /// Sustained requests per second (> 0).
    public var ratePerSecond: Double
    /// Requests an idle key may send at once (≥ 1).
    public var burst: Int

    public init(ratePerSecond: Double, burst: Int) {
        self.ratePerSecond = ratePerSecond
        self.burst = burst
    }
}

/// Concurrent in-flight invocations (`concurrency:`).
public struct ConcurrencySettings: Sendable, Equatable {
    /// Cap on in-flight invocations of the function across all clients (`per_function`); nil: none.
    public var perFunction: Int?
    /// Fixed cap per client (`per_client`); nil: none besides the fair share.
    public var perClient: Int?
    /// When true and `perFunction` is set, a client may hold at most
    /// `max(fairShareFloor, ceil(perFunction / active clients))` in-flight invocations, where active
    /// clients are those holding at least one (counting the asking client). Default true.
    public var fairShare: Bool
    /// Lower bound of the fair share (`fair_share_floor`, default 1).
    public var fairShareFloor: Int

    public init(perFunction: Int? = nil, perClient: Int? = nil, fairShare: Bool = true, fairShareFloor: Int = 1) {
        self.perFunction = perFunction
        self.perClient = perClient
        self.fairShare = fairShare
        self.fairShareFloor = fairShareFloor
    }

    public static let unlimited = ConcurrencySettings()
}

/// A cost budget over a rolling window: money, GB-seconds, or both (each enforced on its own).
public struct BudgetSettings: Sendable, Equatable {
    /// Most dollars spent in any window (`max_dollars`); nil: not limited.
    public var maxDollars: Double?
    /// Most GB-seconds used in any window (`max_gb_seconds`); nil: not limited.
    public var maxGBSeconds: Double?
    /// Window length in seconds (`window_seconds`, default 3600).
    public var windowSeconds: Double
    /// When set (`degrade_to`), an exhausted budget sends requests to this (cheaper) upstream instead of
    /// refusing them; nil (default): refuse with 429.
    public var degradeTo: String?

    public init(
        maxDollars: Double? = nil, maxGBSeconds: Double? = nil, windowSeconds: Double = 3600, degradeTo: String? = nil
    ) {
        self.maxDollars = maxDollars
        self.maxGBSeconds = maxGBSeconds
        self.windowSeconds = windowSeconds
        self.degradeTo = degradeTo
    }
}

/// Everything the limiter enforces for one function. A `nil` limit is not enforced.
///
/// YAML names are given in brackets; the config loader builds a function's value by copying
/// `LimitsConfiguration.defaults` and applying that function's overrides field by field.
public struct FunctionLimits: Sendable, Equatable {
    /// Per-client rate (`per_client.rate_per_second`, `per_client.burst`); keyed by (function, client).
    public var perClientRate: RateSettings?
    /// Rate of the whole function (`per_function.rate_per_second`, `per_function.burst`).
    public var perFunctionRate: RateSettings?
    /// In-flight caps (`concurrency`).
    public var concurrency: ConcurrencySettings
    /// Budget of one client for this function (`per_client.budget`).
    public var perClientBudget: BudgetSettings?
    /// Budget of the whole function (`per_function.budget`).
    public var perFunctionBudget: BudgetSettings?
    /// Prices (`prices`, default Lambda x86 us-east-1).
    public var pricing: Pricing
    /// Configured memory in MB (`memory_mb`, default 128, Lambda's minimum).
    public var memoryMB: Int
    /// Upstream timeout in seconds (`timeout_seconds`, default 3, Lambda's default): the worst-case
    /// duration reserved before the first sample or with `reservation: timeout`.
    public var timeoutSeconds: Double
    /// How the expected cost is reserved (`reservation: ewma | timeout`, `ewma_smoothing`).
    public var reservation: ReservationPolicy
    /// Only count and report what would be refused (`shadow`, default false).
    public var shadow: Bool
    /// A permit not released this long after admission is reclaimed and its reservation kept as the
    /// charge (`permit_ttl_seconds`; default nil: timeout + 30 s).
    public var permitTTLSeconds: Double?

    public init(
        perClientRate: RateSettings? = nil,
        perFunctionRate: RateSettings? = nil,
        concurrency: ConcurrencySettings = .unlimited,
        perClientBudget: BudgetSettings? = nil,
        perFunctionBudget: BudgetSettings? = nil,
        pricing: Pricing = .lambdaX86,
        memoryMB: Int = 128,
        timeoutSeconds: Double = 3,
        reservation: ReservationPolicy = .default,
        shadow: Bool = false,
        permitTTLSeconds: Double? = nil
    ) {
        self.perClientRate = perClientRate
        self.perFunctionRate = perFunctionRate
        self.concurrency = concurrency
        self.perClientBudget = perClientBudget
        self.perFunctionBudget = perFunctionBudget
        self.pricing = pricing
        self.memoryMB = memoryMB
        self.timeoutSeconds = timeoutSeconds
        self.reservation = reservation
        self.shadow = shadow
        self.permitTTLSeconds = permitTTLSeconds
    }
}

/// The `limits:` section: defaults, per-function overrides and table-wide settings.
public struct LimitsConfiguration: Sendable, Equatable {
    /// Limits of any function without an override (and of unknown function names).
    public var defaults: FunctionLimits
    /// Complete limits per function name (see `FunctionLimits` for how overrides are applied).
    public var functions: [String: FunctionLimits]
    /// Most (function, client) keys kept in memory (`max_keys`, default 1,048,576).
    public var maxKeys: Int
    /// Sub-buckets of every per-client budget window (`client_budget_buckets`, default 4): more is more
    /// accurate and costs 8 bytes per key per budget unit per bucket.
    public var clientBudgetBuckets: Int
    /// Sub-buckets of every per-function budget window (`function_budget_buckets`, default 60).
    public var functionBudgetBuckets: Int
    /// Least recently used entries examined for an idle one before evicting the LRU entry (default 64).
    public var evictionScan: Int

    public init(
        defaults: FunctionLimits = FunctionLimits(),
        functions: [String: FunctionLimits] = [:],
        maxKeys: Int = 1 << 20,
        clientBudgetBuckets: Int = 4,
        functionBudgetBuckets: Int = 60,
        evictionScan: Int = 64
    ) {
        self.defaults = defaults
        self.functions = functions
        self.maxKeys = maxKeys
        self.clientBudgetBuckets = clientBudgetBuckets
        self.functionBudgetBuckets = functionBudgetBuckets
        self.evictionScan = evictionScan
    }

    /// The limits that apply to `function`.
    public func limits(for function: String) -> FunctionLimits { functions[function] ?? defaults }
}
