import TollgateMetrics

/// What the proxy reports to: the metrics registry and the access log.
///
/// Per-function metric handles are resolved when a configuration is loaded (start and reload) and kept with
/// each route, so recording a request takes no lock and no string work.
public struct ProxyObservability: Sendable {
    /// Nil with `metrics: {enabled: false}`: the request path then makes no metric call at all.
    public var metrics: TollgateMetrics?
    /// One JSON line per request (`AccessLogRecord`); nil: no access log.
    public var accessLog: (any LogSink)?
    /// Pseudonymises client keys in access lines.
    public var hasher: ClientKeyHasher

    public init(metrics: TollgateMetrics?, accessLog: (any LogSink)? = nil, hasher: ClientKeyHasher) {
        self.metrics = metrics
        self.accessLog = accessLog
        self.hasher = hasher
    }
}
