import Prometheus

/// The metric handles of one upstream function, resolved once when the configuration is loaded.
///
/// The proxy keeps one of these with each configured function so recording a request is a few relaxed
/// atomic adds and two histogram records: no dictionary lookup, no string work, no allocation.
public struct FunctionMetrics: Sendable {
    /// The `function` label value (a configured function name, or `other`).
    public let name: String

    /// `tollgate_requests_total`, indexed by `action.ordinal * StatusClass.count + statusClass.ordinal`.
    let requests: [Prometheus.Counter]
    let upstreamLatency: ValueHistogram
    let proxyLatency: ValueHistogram
    let anomalyScore: ValueHistogram
    let spentUSD: Prometheus.Counter
    let spentGBSeconds: Prometheus.Counter
    let reservedUSD: Prometheus.Gauge
    let reservedGBSeconds: Prometheus.Gauge
    let budgetRemainingUSD: Prometheus.Gauge
    let budgetRemainingGBSeconds: Prometheus.Gauge
    let budgetLimitUSD: Prometheus.Gauge
    let budgetLimitGBSeconds: Prometheus.Gauge
    /// `tollgate_upstream_errors_total`, indexed by `UpstreamErrorKind.ordinal`.
    let upstreamErrors: [Prometheus.Counter]

    init(name: String, registry: PrometheusCollectorRegistry) {
        self.name = name
        var requests: [Prometheus.Counter] = []
        requests.reserveCapacity(RequestAction.allCases.count * StatusClass.allCases.count)
        for action in RequestAction.allCases {
            for statusClass in StatusClass.allCases {
                requests.append(
                    registry.counter(MetricCatalogue.requests, name, action.rawValue, statusClass.rawValue))
            }
        }
        self.requests = requests
        let seconds = MetricCatalogue.secondsBuckets
        upstreamLatency = registry.histogram(MetricCatalogue.upstreamLatency, buckets: seconds, name)
        proxyLatency = registry.histogram(MetricCatalogue.proxyLatency, buckets: seconds, name)
        anomalyScore = registry.histogram(
            MetricCatalogue.anomalyScore, buckets: MetricCatalogue.anomalyScoreBuckets, name)
        spentUSD = registry.counter(MetricCatalogue.spentUSD, name)
        spentGBSeconds = registry.counter(MetricCatalogue.spentGBSeconds, name)
        reservedUSD = registry.gauge(MetricCatalogue.reservedUSD, name)
        reservedGBSeconds = registry.gauge(MetricCatalogue.reservedGBSeconds, name)
        budgetRemainingUSD = registry.gauge(MetricCatalogue.budgetRemainingUSD, name)
        budgetRemainingGBSeconds = registry.gauge(MetricCatalogue.budgetRemainingGBSeconds, name)
        budgetLimitUSD = registry.gauge(MetricCatalogue.budgetLimitUSD, name)
        budgetLimitGBSeconds = registry.gauge(MetricCatalogue.budgetLimitGBSeconds, name)
        upstreamErrors = UpstreamErrorKind.allCases.map {
            registry.counter(MetricCatalogue.upstreamErrors, name, $0.rawValue)
        }
    }

    /// Removes every series of this function from `registry` (after a reload dropped the function).
    func unregister(from registry: PrometheusCollectorRegistry) {
        for counter in requests { registry.unregisterCounter(counter) }
        for counter in upstreamErrors { registry.unregisterCounter(counter) }
        for histogram in [upstreamLatency, proxyLatency, anomalyScore] {
            registry.unregisterValueHistogram(histogram)
        }
        registry.unregisterCounter(spentUSD)
        registry.unregisterCounter(spentGBSeconds)
        for gauge in [
            reservedUSD, reservedGBSeconds, budgetRemainingUSD, budgetRemainingGBSeconds, budgetLimitUSD,
            budgetLimitGBSeconds,
        ] {
            registry.unregisterGauge(gauge)
        }
    }

    func requestCounter(_ action: RequestAction, _ statusClass: StatusClass) -> Prometheus.Counter {
        requests[action.ordinal * StatusClass.allCases.count + statusClass.ordinal]
    }
}

/// The function handles of one loaded configuration: a name lookup with `other` for unknown names.
///
/// Built by ``TollgateMetrics/configureFunctions(_:)`` at load and reload; immutable afterwards.
public struct FunctionMetricsTable: Sendable {
    let byName: [String: FunctionMetrics]
    /// The handles recording under `function="other"`.
    public let other: FunctionMetrics

    /// The handles of `name`, or ``other`` for a name the configuration does not define.
    public subscript(name: String) -> FunctionMetrics { byName[name] ?? other }

    /// The configured function names (without `other`).
    public var names: [String] { byName.keys.sorted() }
}
