import Prometheus

/// The rule-match counters of one loaded ruleset: one per rule id, `other` for ids outside it.
///
/// Built by ``TollgateMetrics/configureRules(ids:)`` when a ruleset is loaded and kept with it (immutable,
/// swapped whole on reload), so recording a match is one integer-keyed lookup and one atomic add.
public struct RuleMetricsTable: Sendable {
    let byId: [Int: Prometheus.Counter]
    let other: Prometheus.Counter
    let categories: [String: Prometheus.Counter]
    let otherCategory: Prometheus.Counter

    /// Number of distinct rule ids with their own series.
    public var ruleCount: Int { byId.count }

    /// Counts one match of rule `ruleId` (recorded as `other` if the ruleset does not contain it).
    public func recordMatch(ruleId: Int) {
        (byId[ruleId] ?? other).increment()
    }

    /// Counts one match in anomaly `category` (recorded as `other` if it is not a known category).
    public func recordCategory(_ category: String) {
        (categories[category] ?? otherCategory).increment()
    }
}
