import Logging
import TollgateConfig
import TollgateLimiter
import TollgateMetrics

/// The `limits:` section as the request path uses it: the setup (identities, disabled functions) and one
/// limit backend per worker (a shared local limiter, or one Redis connection per worker).
final class ProxyLimits: Sendable {
    let setup: LimiterSetup
    let limiter: Limiter
    let storeCounters: StoreCounters
    /// The configuration these limits were built from (a reload with the same section keeps them).
    let section: TollgateConfig.LimitsConfiguration
    let functions: [FunctionConfiguration]
    /// Per function, in configuration order (`Router.Route.index`): everything the request path needs,
    /// resolved at load so admission does no name lookups.
    let plans: [FunctionLimitPlan]

    init(configuration: TollgateConfiguration) throws(ProxyError) {
        guard let section = configuration.limits else {
            throw ProxyError(.invalidLimits, "no limits section")
        }
        do {
            setup = try LimiterFactory.make(section, functions: configuration.functions)
        } catch {
            throw ProxyError(.invalidLimits, "\(error)")
        }
        do {
            limiter = try setup.makeLimiter()
        } catch {
            throw ProxyError(.invalidLimits, "\(error)")
        }
        storeCounters = StoreCounters()
        self.section = section
        self.functions = configuration.functions
        let setup = self.setup
        plans = configuration.functions.map { function in
            let limits = setup.limits.functions[function.name] ?? setup.limits.defaults
            var kinds: [MetricLimitKind] = []
            if limits.perClientRate != nil { kinds.append(.clientRate) }
            if limits.perFunctionRate != nil { kinds.append(.functionRate) }
            if limits.concurrency.perClient != nil { kinds.append(.clientConcurrency) }
            if limits.concurrency.perFunction != nil { kinds.append(.functionConcurrency) }
            if limits.perClientBudget != nil { kinds.append(.clientBudget) }
            if limits.perFunctionBudget != nil { kinds.append(.functionBudget) }
            let identity = setup.identity(for: function.name)
            return FunctionLimitPlan(
                name: function.name, enabled: !setup.disabledFunctions.contains(function.name), identity: identity,
                needsHeaders: identity.spec.alternatives.contains { $0.contains { $0 != .ip } },
                admittedKinds: kinds, pricing: limits.pricing, memoryMB: limits.memoryMB)
        }
    }

    /// The plan of the function at `index` (nil outside the table).
    @inline(__always)
    func plan(_ index: Int) -> FunctionLimitPlan? { index >= 0 && index < plans.count ? plans[index] : nil }

    /// Builds when the configuration has an enabled `limits:` section; nil otherwise.
    static func make(_ configuration: TollgateConfiguration, previous: ProxyLimits?) throws(ProxyError) -> ProxyLimits?
    {
        guard let section = configuration.limits, section.mode != .off else { return nil }
        if let previous, previous.section == section, previous.functions == configuration.functions { return previous }
        return try ProxyLimits(configuration: configuration)
    }

    /// The backend a worker uses (call on the worker's queue; a Redis backend starts connecting).
    func makeBackend(worker: Worker) -> any LimitBackend {
        setup.makeBackend(worker: worker, limiter: limiter, counters: storeCounters)
    }
}

/// A worker's limits: the shared setup and the worker's own backend.
struct WorkerLimits {
    let limits: ProxyLimits
    let backend: any LimitBackend
}

/// One function's limits as the request path uses them.
struct FunctionLimitPlan: Sendable {
    let name: String
    /// False for `mode: off` (no admission at all).
    let enabled: Bool
    let identity: ClientIdentity
    /// The client key reads headers (forwarded, header:, jwt:).
    let needsHeaders: Bool
    /// The limits it evaluates (for `tollgate_limiter_decisions_total{decision="admitted"}`).
    let admittedKinds: [MetricLimitKind]
    let pricing: TollgateLimiter.Pricing
    let memoryMB: Int
}
