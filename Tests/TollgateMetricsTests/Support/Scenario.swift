@testable import TollgateMetrics

/// A known sequence of recordings touching every metric family; tests assert its exact exposition.
enum Scenario {
    static let functions = ["checkout", "search"]
    static let ruleIds = [942100, 941100, 920350]

    static func run() -> TollgateMetrics {
        let metrics = TollgateMetrics(version: "1.2.3", revision: "abc123")
        let table = metrics.configureFunctions(functions)
        metrics.configureRules(ids: ruleIds)
        let checkout = table["checkout"]
        let search = table["search"]
        let unknown = table["not-configured"]

        for _ in 0..<3 {
            metrics.recordRequest(
                function: checkout, action: .allowed, status: 200, upstreamSeconds: 0.02, proxySeconds: 0.0003)
        }
        metrics.recordRequest(
            function: checkout, action: .blocked, status: 403, upstreamSeconds: nil, proxySeconds: 0.0004)
        metrics.recordRequest(function: checkout, action: .allowed, status: 0, upstreamSeconds: 2, proxySeconds: 0.0002)
        metrics.recordRequest(
            function: search, action: .rateLimited, status: 429, upstreamSeconds: nil, proxySeconds: 0.00005)
        metrics.recordRequest(
            function: search, action: .budgetExceeded, status: 429, upstreamSeconds: nil, proxySeconds: 0.00005)
        metrics.recordRequest(function: unknown, action: .error, status: 502, upstreamSeconds: 31, proxySeconds: 0.001)
        metrics.recordRequest(
            function: unknown, action: .error, status: 999, upstreamSeconds: .nan, proxySeconds: .infinity)

        for score in [0, 5, 10, 60] { metrics.recordAnomalyScore(function: checkout, score: score) }

        metrics.recordRuleMatch(ruleId: 942100, category: "sqli")
        metrics.recordRuleMatch(ruleId: 942100, category: "sqli")
        metrics.recordRuleMatch(ruleId: 941100, category: "xss")
        metrics.recordRuleMatch(ruleId: 123, category: "made-up")
        metrics.recordRuleMatch(ruleId: 920350)

        for _ in 0..<4 { metrics.recordLimiterDecision(kind: .clientRate, decision: .admitted) }
        metrics.recordLimiterDecision(kind: .clientRate, decision: .limited)
        metrics.recordLimiterDecision(kind: .functionBudget, decision: .degraded)

        metrics.recordReservation(function: checkout, usd: 0.5, gbSeconds: 2)
        metrics.recordSettlement(
            function: checkout, reservedUSD: 0.5, reservedGBSeconds: 2, spentUSD: 0.25, spentGBSeconds: 1.5)
        metrics.recordReservation(function: checkout, usd: 0.125, gbSeconds: 0.5)
        metrics.recordSpent(function: search, usd: -1, gbSeconds: .nan)  // ignored
        metrics.setBudgetLimit(function: checkout, usd: 10, gbSeconds: 200)
        metrics.setBudgetRemaining(function: checkout, usd: 9.75, gbSeconds: 100.5)

        for _ in 0..<3 { metrics.connectionOpened(.client) }
        metrics.connectionClosed(.client)
        metrics.connectionOpened(.upstream)

        metrics.recordUpstreamError(function: checkout, kind: .timeout)
        metrics.recordUpstreamError(function: checkout, kind: .timeout)
        metrics.recordUpstreamError(function: search, kind: .connect)

        metrics.recordParserRejection(reason: "bareLF")
        metrics.recordParserRejection(reason: "bareLF")
        metrics.recordParserRejection(reason: "203.0.113.9 sent junk")  // not a reason: other

        metrics.recordRuleEngineError(kind: .matchLimit)

        metrics.recordReload(.config, success: true)
        metrics.recordReload(.ruleset, success: false)

        metrics.recordStoreError(kind: .timeout)
        metrics.setFailingOpen(true)
        metrics.addFailOpenSeconds(1.5)
        metrics.addFailOpenSeconds(-1)  // ignored
        return metrics
    }
}
