import TollgateLimiter
import TollgateMetrics

extension Gateway {
    /// Sets `tollgate_function_budget_remaining_*` of every function with a function budget (called before
    /// each scrape; nothing on the request path).
    ///
    /// With `store: local` the values come from the limiter's budget windows at this moment. With a Redis
    /// store they are what the store reported with its last answer to an admission of the function on this
    /// instance (the admit script returns them: no extra round trip); while the store is down with
    /// `store_failure: open`, or before its first answer, the local limiter's view (the one then enforced).
    /// A unit the budget does not limit reads 0, as its `tollgate_function_budget_limit_*` does.
    func syncBudgetMetrics(now: UInt64 = SystemClock().nanoseconds()) {
        guard let limits = proxy.currentLimits else { return }
        let table = metrics.functions
        let counters = limits.storeCounters
        let usesStore = limits.setup.redisSettings() != nil
        let failingOpen = counters.downSince.load(ordering: .relaxed) != 0 && limits.setup.storeFailure == .open
        for plan in limits.plans {
            let id = limits.limiter.function(named: plan.name)
            guard var remaining = limits.limiter.functionBudgetRemaining(id, now: now) else { continue }
            if usesStore, !failingOpen, let used = counters.storeBudgetUse(of: plan.name),
                let budget = limits.limiter.sharedLimits(of: id).functionBudget
            {
                remaining = BudgetRemaining(
                    storeDollars: budget.maxPicodollars.map { Double($0 - min($0, used.picodollars)) / 1e12 },
                    gbSeconds: budget.maxMicroGBSeconds.map { Double($0 - min($0, used.microGBSeconds)) / 1e6 })
            }
            metrics.setBudgetRemaining(
                function: table[plan.name], usd: remaining.dollars ?? 0, gbSeconds: remaining.gbSeconds ?? 0)
        }
    }
}
