import TollgateConfig
import TollgateLimiter

/// What the proxy needs to enforce the `limits:` section: the pure limiter's configuration, each
/// function's client identity, and the store settings.
struct LimiterSetup: Sendable {
    /// The pure limiter's configuration (functions in `off` mode have no limits).
    let limits: TollgateLimiter.LimitsConfiguration
    /// Client identity per function name; `defaultIdentity` for the others.
    let identities: [String: ClientIdentity]
    let defaultIdentity: ClientIdentity
    /// Functions whose limits are not evaluated (`mode: off`, per function or for the whole section).
    let disabledFunctions: Set<String>
    /// True when the whole section is `mode: off`.
    let isDisabled: Bool
    let store: TollgateConfig.LimitsConfiguration.Store
    let storeFailure: TollgateConfig.LimitsConfiguration.FailureMode
    let storeTimeoutMilliseconds: Int

    func identity(for function: String) -> ClientIdentity { identities[function] ?? defaultIdentity }

    /// Builds the limiter (validates the configuration again: throws `LimiterConfigurationError`).
    func makeLimiter() throws(LimiterConfigurationError) -> Limiter { try Limiter(configuration: limits) }

    /// Redis store settings for `store: redis://...` (nil for `local`).
    func redisSettings(keyPrefix: String = "tollgate:") -> RedisStoreSettings? {
        guard case .redis(let host, let port, let database) = store else { return nil }
        return RedisStoreSettings(
            client: RedisClientSettings(
                host: host, port: port, database: database, commandTimeoutMilliseconds: storeTimeoutMilliseconds),
            keyPrefix: keyPrefix, failureMode: storeFailure)
    }
}

/// An invalid mapping (a client key or trusted proxy the limiter refuses); `code` is stable.
struct LimiterSetupError: Error, Equatable, CustomStringConvertible {
    enum Code: String, Sendable, Equatable {
        case invalidClientKey = "invalid_client_key"
    }
    let code: Code
    let function: String
    let message: String
    var description: String { "\(code.rawValue) (\(function)): \(message)" }
    static func == (a: Self, b: Self) -> Bool { a.code == b.code && a.function == b.function }
}

/// Turns the YAML `limits:` section and the functions list into the pure limiter's configuration.
///
/// Mapping: `per_client`/`per_function` `rate_per_second` and `burst` (default: the rate rounded up, at
/// least 1) become GCRA rates; `max_concurrent` the concurrency caps (fair share on); `budget` (`usd`,
/// `gb_seconds`, `window_seconds`, `degrade_to`) the budgets; `pricing` the prices; `cost_estimate`
/// the reservation policy; each function's `memory_mb` and `timeout_ms` its memory and timeout.
/// Per-function overrides replace the section's value field by field (a `nil` field inherits).
enum LimiterFactory {
    static func make(
        _ section: TollgateConfig.LimitsConfiguration, functions: [FunctionConfiguration]
    ) throws(LimiterSetupError) -> LimiterSetup {
        var disabled = Set<String>()
        var perFunction: [String: FunctionLimits] = [:]
        var identities: [String: ClientIdentity] = [:]
        let defaultIdentity = try identity(section.clientKey, section.trustedProxies, function: "*")
        let defaults = limits(section, override: nil, function: nil, mode: section.mode)
        for function in functions {
            let override = section.functionOverrides[function.name]
            let mode = override?.mode ?? section.mode
            if mode == .off { disabled.insert(function.name) }
            perFunction[function.name] = limits(section, override: override, function: function, mode: mode)
            if let keys = override?.clientKey {
                identities[function.name] = try identity(keys, section.trustedProxies, function: function.name)
            }
        }
        return LimiterSetup(
            limits: TollgateLimiter.LimitsConfiguration(
                defaults: defaults, functions: perFunction, maxKeys: section.maxKeys),
            identities: identities, defaultIdentity: defaultIdentity, disabledFunctions: disabled,
            isDisabled: section.mode == .off, store: section.store, storeFailure: section.storeFailure,
            storeTimeoutMilliseconds: section.storeTimeoutMilliseconds)
    }

    /// `client_key` sources form one combined key (all parts required); the peer address when missing.
    static func identity(
        _ sources: [ClientKeySource], _ trusted: [String], function: String
    ) throws(LimiterSetupError) -> ClientIdentity {
        let parts: [ClientKeySpec.Source] = sources.map { source in
            switch source {
            case .ip: .ip
            case .forwarded: .forwarded
            case .header(let name): .header(name)
            case .jwtClaim(let claim): .jwt(claim: claim)
            }
        }
        do {
            let spec = ClientKeySpec(alternatives: parts.isEmpty ? [[.ip]] : [parts])
            return try ClientIdentity(spec: spec.description, trustedProxies: trusted)
        } catch {
            throw LimiterSetupError(code: .invalidClientKey, function: function, message: "\(error)")
        }
    }

    static func limits(
        _ section: TollgateConfig.LimitsConfiguration, override: FunctionLimitsOverride?,
        function: FunctionConfiguration?, mode: TollgateConfig.LimitsConfiguration.Mode
    ) -> FunctionLimits {
        var out = FunctionLimits()
        if let function {
            out.memoryMB = function.memoryMB
            out.timeoutSeconds = Double(max(1, function.timeoutMilliseconds)) / 1000
        }
        let pricing = override?.pricing ?? section.pricing
        out.pricing = Pricing(dollarsPerRequest: pricing.perRequestUSD, dollarsPerGBSecond: pricing.perGBSecondUSD)
        out.reservation = section.costEstimate == .timeout ? .timeout : .default
        out.shadow = mode == .shadow
        guard mode != .off else { return out }
        let client = merge(section.perClient, override?.perClient)
        let fn = merge(section.perFunction, override?.perFunction)
        out.perClientRate = rate(client)
        out.perFunctionRate = rate(fn)
        out.concurrency = ConcurrencySettings(perFunction: fn.maxConcurrent, perClient: client.maxConcurrent)
        out.perClientBudget = budget(client.budget)
        out.perFunctionBudget = budget(fn.budget)
        return out
    }

    /// `override`'s set fields win over `base`'s.
    static func merge(_ base: LimitSet, _ override: LimitSet?) -> LimitSet {
        guard let override else { return base }
        return LimitSet(
            ratePerSecond: override.ratePerSecond ?? base.ratePerSecond, burst: override.burst ?? base.burst,
            maxConcurrent: override.maxConcurrent ?? base.maxConcurrent, budget: override.budget ?? base.budget)
    }

    static func rate(_ set: LimitSet) -> RateSettings? {
        guard let rate = set.ratePerSecond else { return nil }
        return RateSettings(ratePerSecond: rate, burst: set.burst ?? max(1, Int(rate.rounded(.up))))
    }

    static func budget(_ budget: Budget?) -> BudgetSettings? {
        guard let budget else { return nil }
        return BudgetSettings(
            maxDollars: budget.usd, maxGBSeconds: budget.gbSeconds, windowSeconds: Double(budget.windowSeconds),
            degradeTo: budget.degradeTo?.description)
    }
}

extension LimiterSetup {
    /// The backend one worker uses: the shared `limiter` itself for `store: local`; otherwise a
    /// `RedisLimitBackend` owning this worker's own connection, falling back to the shared `limiter`
    /// (one per process, so fail-open limits are this instance's). Call on `worker.queue` (the Redis
    /// backend starts connecting at once). `counters` may be shared by all workers.
    func makeBackend(
        worker: Worker, limiter: Limiter, counters: StoreCounters, keyPrefix: String = "tollgate:"
    ) -> any LimitBackend {
        guard let settings = redisSettings(keyPrefix: keyPrefix) else { return LocalLimitBackend(limiter: limiter) }
        let backend = RedisLimitBackend(
            limiter: limiter, settings: settings, host: worker, counters: counters, logger: worker.logger)
        backend.start()
        return backend
    }
}
