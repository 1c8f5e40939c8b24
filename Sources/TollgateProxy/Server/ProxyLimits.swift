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
    /// The limits each function evaluates (for `tollgate_limiter_decisions_total{decision="admitted"}`).
    let admittedKinds: [String: [MetricLimitKind]]

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
        var kinds: [String: [MetricLimitKind]] = [:]
        for (name, limits) in setup.limits.functions {
            var list: [MetricLimitKind] = []
            if limits.perClientRate != nil { list.append(.clientRate) }
            if limits.perFunctionRate != nil { list.append(.functionRate) }
            if limits.concurrency.perClient != nil { list.append(.clientConcurrency) }
            if limits.concurrency.perFunction != nil { list.append(.functionConcurrency) }
            if limits.perClientBudget != nil { list.append(.clientBudget) }
            if limits.perFunctionBudget != nil { list.append(.functionBudget) }
            kinds[name] = list
        }
        admittedKinds = kinds
    }

    /// Builds when the configuration has an enabled `limits:` section; nil otherwise.
    static func make(_ configuration: TollgateConfiguration, previous: ProxyLimits?) throws(ProxyError) -> ProxyLimits? {
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
