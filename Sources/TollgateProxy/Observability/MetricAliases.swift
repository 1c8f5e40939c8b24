import TollgateMetrics

// The metrics module has a class named like the module, and TollgateLimiter has types named like some of
// its enums: these aliases name the metrics' label enums unambiguously.

/// `tollgate_limiter_decisions_total{limit_kind}`.
typealias MetricLimitKind = LimitKind
/// `tollgate_limiter_decisions_total{decision}`.
typealias MetricLimitDecision = LimitDecision
/// One audit line of a refused request (TollgateMetrics' record, not the engine's).
typealias AuditLine = AuditRecord
