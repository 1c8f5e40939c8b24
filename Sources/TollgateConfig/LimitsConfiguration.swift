/// `limits:` section: per-client and per-function rate limits, concurrency caps and cost budgets
/// (denial-of-wallet defence). Parsed and validated here; enforced by the limiter.
public struct LimitsConfiguration: Sendable, Equatable {
    /// `mode:` what happens when a limit is hit.
    public enum Mode: String, Sendable, Equatable, CaseIterable {
        /// Refuse with 429 (default).
        case enforce
        /// Count and log only; never refuse.
        case shadow
        /// Limits are not evaluated.
        case off
    }

    /// `store:` where limiter state lives.
    public enum Store: Sendable, Equatable, CustomStringConvertible {
        /// In this process only (default).
        case local
        /// A shared Redis server, `redis://host:port[/db]`.
        case redis(host: String, port: Int, database: Int)

        public var description: String {
            switch self {
            case .local: "local"
            case .redis(let host, let port, let database):
                "redis://\(host.contains(":") ? "[\(host)]" : host):\(port)" + (database == 0 ? "" : "/\(database)")
            }
        }
    }

    /// `store_failure:` what to do when the shared store is slow or down.
    public enum FailureMode: String, Sendable, Equatable, CaseIterable {
        /// Fall back to local limits (default).
        case open
        /// Refuse requests that need the store (503).
        case closed
    }

    /// `cost_estimate:` how much cost an invocation reserves before it is forwarded.
    public enum CostEstimate: String, Sendable, Equatable, CaseIterable {
        /// Moving average of the function's recent durations (default).
        case average
        /// The function's timeout: the worst case.
        case timeout
    }

    /// `mode:` enforce (default) | shadow | off.
    public var mode: Mode
    /// `store:` `local` (default) or `redis://host:port[/db]`.
    public var store: Store
    /// `store_failure:` open (default) | closed.
    public var storeFailure: FailureMode
    /// `store_timeout_ms:` how long a store round trip may take before the failure mode applies (default 50).
    public var storeTimeoutMilliseconds: Int
    /// `client_key:` how a client is identified; several sources form a combined key (default `[ip]`).
    public var clientKey: [ClientKeySource]
    /// `trusted_proxies:` CIDR blocks whose forwarded headers are believed (for `forwarded`).
    public var trustedProxies: [String]
    /// `max_keys:` most client keys held in memory (default 1,000,000); idle keys are evicted first, then
    /// the least recently used.
    public var maxKeys: Int
    /// `cost_estimate:` average (default) | timeout.
    public var costEstimate: CostEstimate
    /// `per_client:` limits applied to each client key (per function).
    public var perClient: LimitSet
    /// `per_function:` limits applied to all traffic of one function together.
    public var perFunction: LimitSet
    /// `pricing:` what an invocation costs (defaults: published AWS Lambda x86 prices).
    public var pricing: Pricing
    /// `functions:` per-function overrides, keyed by function name.
    public var functionOverrides: [String: FunctionLimitsOverride]

    public init(
        mode: Mode = .enforce,
        store: Store = .local,
        storeFailure: FailureMode = .open,
        storeTimeoutMilliseconds: Int = 50,
        clientKey: [ClientKeySource] = [.ip],
        trustedProxies: [String] = [],
        maxKeys: Int = 1_000_000,
        costEstimate: CostEstimate = .average,
        perClient: LimitSet = LimitSet(),
        perFunction: LimitSet = LimitSet(),
        pricing: Pricing = Pricing(),
        functionOverrides: [String: FunctionLimitsOverride] = [:]
    ) {
        self.mode = mode
        self.store = store
        self.storeFailure = storeFailure
        self.storeTimeoutMilliseconds = storeTimeoutMilliseconds
        self.clientKey = clientKey
        self.trustedProxies = trustedProxies
        self.maxKeys = maxKeys
        self.costEstimate = costEstimate
        self.perClient = perClient
        self.perFunction = perFunction
        self.pricing = pricing
        self.functionOverrides = functionOverrides
    }
}

/// One source of a client's identity (`client_key:`).
public enum ClientKeySource: Sendable, Equatable, CustomStringConvertible {
    /// `ip`: the peer address of the TCP connection.
    case ip
    /// `forwarded`: the right-most untrusted hop of `Forwarded`/`X-Forwarded-For`, believed only from
    /// `trusted_proxies`.
    case forwarded
    /// `header:NAME`: a request header such as an API key (name stored lowercase).
    case header(String)
    /// `jwt:CLAIM`: a claim of the bearer JWT, read without verifying the signature.
    case jwtClaim(String)

    public var description: String {
        switch self {
        case .ip: "ip"
        case .forwarded: "forwarded"
        case .header(let name): "header:\(name)"
        case .jwtClaim(let claim): "jwt:\(claim)"
        }
    }
}

/// A set of limits; every `nil` member is "no limit of this kind".
public struct LimitSet: Sendable, Equatable {
    /// `rate_per_second:` sustained requests per second (GCRA emission rate); may be fractional.
    public var ratePerSecond: Double?
    /// `burst:` requests allowed at once above the smooth rate (default: equal to the rate, at least 1).
    public var burst: Int?
    /// `max_concurrent:` in-flight invocations at once.
    public var maxConcurrent: Int?
    /// `budget:` a cost budget over a rolling window.
    public var budget: Budget?

    public init(ratePerSecond: Double? = nil, burst: Int? = nil, maxConcurrent: Int? = nil, budget: Budget? = nil) {
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        self.maxConcurrent = maxConcurrent
        self.budget = budget
    }

    /// True when no limit is set.
    public var isEmpty: Bool { ratePerSecond == nil && burst == nil && maxConcurrent == nil && budget == nil }
}

/// `budget:` a rolling-window cost budget; at least one of `gb_seconds` and `usd` is set.
public struct Budget: Sendable, Equatable {
    /// `window_seconds:` length of the rolling window (default 3600).
    public var windowSeconds: Int
    /// `gb_seconds:` compute budget in GB-seconds (memory x duration).
    public var gbSeconds: Double?
    /// `usd:` money budget in US dollars.
    public var usd: Double?
    /// `degrade_to:` when the budget is spent, forward to this cheaper upstream instead of refusing.
    public var degradeTo: UpstreamAddress?

    public init(
        windowSeconds: Int = 3600, gbSeconds: Double? = nil, usd: Double? = nil, degradeTo: UpstreamAddress? = nil
    ) {
        self.windowSeconds = windowSeconds
        self.gbSeconds = gbSeconds
        self.usd = usd
        self.degradeTo = degradeTo
    }
}

/// `pricing:` how cost is computed: `per_request_usd + duration_s x memory_gb x per_gb_second_usd`.
public struct Pricing: Sendable, Equatable {
    /// `per_request_usd:` invocation price (default 0.0000002, i.e. $0.20 per million).
    public var perRequestUSD: Double
    /// `per_gb_second_usd:` compute price (default 0.0000166667).
    public var perGBSecondUSD: Double

    public init(perRequestUSD: Double = 0.000_000_2, perGBSecondUSD: Double = 0.000_016_666_7) {
        self.perRequestUSD = perRequestUSD
        self.perGBSecondUSD = perGBSecondUSD
    }
}

/// `limits.functions.NAME:` overrides for one function; `nil` members inherit the section defaults.
public struct FunctionLimitsOverride: Sendable, Equatable {
    public var mode: LimitsConfiguration.Mode?
    public var clientKey: [ClientKeySource]?
    public var perClient: LimitSet?
    public var perFunction: LimitSet?
    public var pricing: Pricing?

    public init(
        mode: LimitsConfiguration.Mode? = nil,
        clientKey: [ClientKeySource]? = nil,
        perClient: LimitSet? = nil,
        perFunction: LimitSet? = nil,
        pricing: Pricing? = nil
    ) {
        self.mode = mode
        self.clientKey = clientKey
        self.perClient = perClient
        self.perFunction = perFunction
        self.pricing = pricing
    }
}
