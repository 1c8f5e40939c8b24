import Prometheus

/// Tollgate's metrics: every `tollgate_*` family, created up front in one swift-prometheus registry.
///
/// Label sets are closed: per-function handles come from ``configureFunctions(_:)`` (function names from the
/// configuration), per-rule counters from ``configureRules(ids:)`` (rule ids of the loaded ruleset), the rest
/// from enums. Hot-path recording is relaxed atomic adds on pre-resolved handles (see ``FunctionMetrics``);
/// the exposition is rendered on demand by ``render(into:)``.
///
/// Other libraries that speak swift-metrics can report into the same exposition through ``metricsFactory``
/// (e.g. `MetricsSystem.bootstrap(metrics.metricsFactory)` in the executable).
public final class TollgateMetrics: Sendable {
    /// The `Content-Type` of the exposition: the Prometheus text format 0.0.4.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The registry every metric lives in.
    public let registry: PrometheusCollectorRegistry
    /// A swift-metrics factory writing into ``registry``.
    public var metricsFactory: PrometheusMetricsFactory { PrometheusMetricsFactory(registry: registry) }

    let limiterDecisions: [Prometheus.Counter]
    let parserRejections: [String: Prometheus.Counter]
    let otherParserRejection: Prometheus.Counter
    let ruleEngineErrors: [Prometheus.Counter]
    let reloads: [Prometheus.Counter]
    let lastReloadSuccessful: [Prometheus.Gauge]
    let rulesetRules: Prometheus.Gauge
    let storeErrors: [Prometheus.Counter]
    let failOpenSeconds: Prometheus.Counter
    let failingOpen: Prometheus.Gauge
    let connections: [Prometheus.Gauge]
    let categoryNames: [String]

    struct Tables {
        var functions: FunctionMetricsTable
        var rules: RuleMetricsTable
    }
    let tables: LockedBox<Tables>

    /// Creates every metric family.
    ///
    /// - Parameters:
    ///   - version: The build's version (`tollgate_build_info{version}`).
    ///   - revision: The build's source revision (`tollgate_build_info{revision}`).
    ///   - categories: Anomaly categories with their own series; others record as `other`.
    ///   - parserReasons: Parser rejection codes with their own series; others record as `other`.
    ///   - registry: The registry to fill (a fresh one by default).
    public init(
        version: String,
        revision: String = "unknown",
        categories: [String] = MetricCatalogue.defaultCategories,
        parserReasons: [String] = MetricCatalogue.defaultParserReasons,
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) {
        self.registry = registry
        var decisions: [Prometheus.Counter] = []
        for kind in LimitKind.allCases {
            for decision in LimitDecision.allCases {
                decisions.append(
                    registry.counter(MetricCatalogue.limiterDecisions, kind.rawValue, decision.rawValue))
            }
        }
        limiterDecisions = decisions
        var rejections: [String: Prometheus.Counter] = [:]
        for reason in parserReasons where reason != otherLabelValue {
            rejections[reason] = registry.counter(MetricCatalogue.parserRejections, reason)
        }
        parserRejections = rejections
        otherParserRejection = registry.counter(MetricCatalogue.parserRejections, otherLabelValue)
        ruleEngineErrors = RuleEngineErrorKind.allCases.map {
            registry.counter(MetricCatalogue.ruleEngineErrors, $0.rawValue)
        }
        var reloads: [Prometheus.Counter] = []
        for kind in ReloadKind.allCases {
            for result in ["success", "failure"] {
                reloads.append(registry.counter(MetricCatalogue.reloads, kind.rawValue, result))
            }
        }
        self.reloads = reloads
        lastReloadSuccessful = ReloadKind.allCases.map {
            registry.gauge(MetricCatalogue.lastReloadSuccessful, $0.rawValue)
        }
        rulesetRules = registry.gauge(MetricCatalogue.rulesetRules)
        storeErrors = StoreErrorKind.allCases.map { registry.counter(MetricCatalogue.storeErrors, $0.rawValue) }
        failOpenSeconds = registry.counter(MetricCatalogue.failOpenSeconds)
        failingOpen = registry.gauge(MetricCatalogue.failingOpen)
        connections = ConnectionSide.allCases.map { registry.gauge(MetricCatalogue.openConnections, $0.rawValue) }
        registry.gauge(MetricCatalogue.buildInfo, version, revision).set(to: 1)

        var seen = Set<String>()
        categoryNames = categories.filter { $0 != otherLabelValue && seen.insert($0).inserted }
        let otherFunction = FunctionMetrics(name: otherLabelValue, registry: registry)
        let functions = FunctionMetricsTable(byName: [:], other: otherFunction)
        let rules = Self.makeRuleTable(ids: [], categories: categoryNames, registry: registry)
        tables = LockedBox(Tables(functions: functions, rules: rules))
    }

    // MARK: Load-time tables

    /// Resolves the handles of every configured function; call at config load and reload.
    ///
    /// Series of functions no longer configured are removed from the exposition. Functions kept across
    /// a reload keep their series (and values). Returns the table the proxy should keep with the config.
    @discardableResult
    public func configureFunctions(_ names: some Sequence<String>) -> FunctionMetricsTable {
        tables.withLock { tables in
            var byName: [String: FunctionMetrics] = [:]
            for name in names where name != otherLabelValue {
                byName[name] = tables.functions.byName[name] ?? FunctionMetrics(name: name, registry: registry)
            }
            for (name, old) in tables.functions.byName where byName[name] == nil {
                old.unregister(from: registry)
            }
            tables.functions = FunctionMetricsTable(byName: byName, other: tables.functions.other)
            return tables.functions
        }
    }

    /// The current function table (as last configured).
    public var functions: FunctionMetricsTable { tables.withLock { $0.functions } }

    /// The handles of function `name` in the current table, or the `other` handles.
    public func function(named name: String) -> FunctionMetrics { functions[name] }

    /// Creates one rule-match counter per rule id of a newly loaded ruleset and sets `tollgate_ruleset_rules`.
    ///
    /// Counters of ids no longer loaded are removed from the exposition. Returns the table to keep with the
    /// ruleset; ``recordRuleMatch(ruleId:category:)`` uses the latest one.
    @discardableResult
    public func configureRules(ids: some Sequence<Int>) -> RuleMetricsTable {
        tables.withLock { tables in
            let newIds = Set(ids)
            for (id, counter) in tables.rules.byId where !newIds.contains(id) {
                registry.unregisterCounter(counter)
            }
            tables.rules = Self.makeRuleTable(ids: newIds, categories: categoryNames, registry: registry)
            rulesetRules.set(to: Double(newIds.count))
            return tables.rules
        }
    }

    /// The current rule table (as last configured).
    public var rules: RuleMetricsTable { tables.withLock { $0.rules } }

    static func makeRuleTable(
        ids: Set<Int>, categories: [String], registry: PrometheusCollectorRegistry
    ) -> RuleMetricsTable {
        var byId: [Int: Prometheus.Counter] = [:]
        byId.reserveCapacity(ids.count)
        for id in ids {
            byId[id] = registry.counter(MetricCatalogue.ruleMatches, String(id))
        }
        var byCategory: [String: Prometheus.Counter] = [:]
        for category in categories {
            byCategory[category] = registry.counter(MetricCatalogue.categoryMatches, category)
        }
        return RuleMetricsTable(
            byId: byId,
            other: registry.counter(MetricCatalogue.ruleMatches, otherLabelValue),
            categories: byCategory,
            otherCategory: registry.counter(MetricCatalogue.categoryMatches, otherLabelValue))
    }

    // MARK: Exposition

    /// Appends the whole exposition (text format 0.0.4) to `buffer`.
    public func render(into buffer: inout [UInt8]) {
        registry.emit(into: &buffer)
    }

    /// The whole exposition as a string (for tests and tools; the admin listener uses ``render(into:)``).
    public func exposition() -> String {
        var buffer: [UInt8] = []
        render(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
