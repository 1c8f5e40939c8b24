import Prometheus

// Recording API for the proxy, the rule engine and the limiter. Everything here is cheap enough for the hot
// path: relaxed atomics, and at most one dictionary lookup for rule ids, categories and parser reasons.
// Non-finite or negative amounts are ignored rather than trapping.

extension TollgateMetrics {
    // MARK: Requests

    /// Records one finished request: the request counter and both latency histograms.
    ///
    /// - Parameters:
    ///   - function: The function's pre-resolved handles (``FunctionMetricsTable``).
    ///   - action: What Tollgate did with the request.
    ///   - status: The status sent to the client (0 if none was sent).
    ///   - upstreamSeconds: Time spent waiting on the upstream, or nil if none was contacted.
    ///   - proxySeconds: Time spent in Tollgate itself, excluding the upstream.
    public func recordRequest(
        function: FunctionMetrics, action: RequestAction, status: Int, upstreamSeconds: Double?,
        proxySeconds: Double
    ) {
        function.requestCounter(action, StatusClass(status: status)).increment()
        if let upstreamSeconds { function.upstreamLatency.recordFinite(upstreamSeconds) }
        function.proxyLatency.recordFinite(proxySeconds)
    }

    /// Records the inbound anomaly score of one evaluated request.
    public func recordAnomalyScore(function: FunctionMetrics, score: Int) {
        function.anomalyScore.record(Double(score))
    }

    // MARK: Rules

    /// Counts one rule match in the latest ruleset's table (and its anomaly category, if given).
    ///
    /// Takes a lock to read the table; an engine that keeps the ``RuleMetricsTable`` from
    /// ``configureRules(ids:)`` with its ruleset can call ``RuleMetricsTable/recordMatch(ruleId:)`` instead.
    public func recordRuleMatch(ruleId: Int, category: String? = nil) {
        let table = rules
        table.recordMatch(ruleId: ruleId)
        if let category { table.recordCategory(category) }
    }

    /// Counts one rule-engine error that produced no verdict.
    public func recordRuleEngineError(kind: RuleEngineErrorKind) {
        ruleEngineErrors[kind.ordinal].increment()
    }

    // MARK: Limiter and cost

    /// Counts one limiter decision for one limit.
    public func recordLimiterDecision(kind: LimitKind, decision: LimitDecision) {
        limiterDecisions[kind.ordinal * LimitDecision.allCases.count + decision.ordinal].increment()
    }

    /// Adds a reservation made before forwarding (predictive admission).
    public func recordReservation(function: FunctionMetrics, usd: Double, gbSeconds: Double) {
        function.reservedUSD.addFinite(usd)
        function.reservedGBSeconds.addFinite(gbSeconds)
    }

    /// Settles a reservation with the measured cost: releases what was reserved and adds what was spent.
    ///
    /// Pass zero spent amounts to release a reservation whose invocation never happened.
    public func recordSettlement(
        function: FunctionMetrics, reservedUSD: Double, reservedGBSeconds: Double, spentUSD: Double,
        spentGBSeconds: Double
    ) {
        function.reservedUSD.addFinite(-reservedUSD)
        function.reservedGBSeconds.addFinite(-reservedGBSeconds)
        recordSpent(function: function, usd: spentUSD, gbSeconds: spentGBSeconds)
    }

    /// Adds money and compute spent without a reservation.
    public func recordSpent(function: FunctionMetrics, usd: Double, gbSeconds: Double) {
        function.spentUSD.add(usd)
        function.spentGBSeconds.add(gbSeconds)
    }

    /// Sets what is left in the function's budget window.
    public func setBudgetRemaining(function: FunctionMetrics, usd: Double, gbSeconds: Double) {
        function.budgetRemainingUSD.setFinite(usd)
        function.budgetRemainingGBSeconds.setFinite(gbSeconds)
    }

    /// Sets the function's configured budgets per window (at config load; 0 for no budget).
    public func setBudgetLimit(function: FunctionMetrics, usd: Double, gbSeconds: Double) {
        function.budgetLimitUSD.setFinite(usd)
        function.budgetLimitGBSeconds.setFinite(gbSeconds)
    }

    // MARK: Connections and upstream

    /// Counts a connection opened on `side`.
    public func connectionOpened(_ side: ConnectionSide) {
        connections[side.ordinal].increment(by: 1)
    }

    /// Counts a connection closed on `side`.
    public func connectionClosed(_ side: ConnectionSide) {
        connections[side.ordinal].decrement(by: 1)
    }

    /// Counts one failed upstream exchange.
    public func recordUpstreamError(function: FunctionMetrics, kind: UpstreamErrorKind) {
        function.upstreamErrors[kind.ordinal].increment()
    }

    /// Counts one request the HTTP parser refused, by its error code (`HTTPParseError.Code.rawValue`).
    public func recordParserRejection(reason: String) {
        (parserRejections[reason] ?? otherParserRejection).increment()
    }

    // MARK: Reloads

    /// Counts a reload attempt and sets `tollgate_last_reload_successful`.
    public func recordReload(_ kind: ReloadKind, success: Bool) {
        reloads[kind.ordinal * 2 + (success ? 0 : 1)].increment()
        lastReloadSuccessful[kind.ordinal].set(to: success ? 1 : 0)
    }

    /// Sets `tollgate_ruleset_rules` (``configureRules(ids:)`` sets it too).
    public func setRuleCount(_ count: Int) {
        rulesetRules.set(to: Double(count))
    }

    // MARK: Shared store

    /// Counts one error talking to the shared limiter store.
    public func recordStoreError(kind: StoreErrorKind) {
        storeErrors[kind.ordinal].increment()
    }

    /// Sets whether the limiter is currently failing open because the store is unusable.
    public func setFailingOpen(_ failingOpen: Bool) {
        self.failingOpen.set(to: failingOpen ? 1 : 0)
    }

    /// Adds time spent failing open, in seconds.
    public func addFailOpenSeconds(_ seconds: Double) {
        failOpenSeconds.add(seconds)
    }
}
