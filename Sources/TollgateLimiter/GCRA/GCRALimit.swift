/// A rate with a burst, enforced with the generic cell rate algorithm (GCRA).
///
/// One timestamp per key, the theoretical arrival time (TAT), is the whole state. With emission interval
/// `T = 1/rate` and tolerance `τ = burst × T`, a request of cost `n` at `now` is allowed when
/// `max(TAT, now) + n×T − τ ≤ now`, and then TAT becomes `max(TAT, now) + n×T`. A fresh key (TAT in the
/// past) therefore admits `burst` requests at once, then one per `T`; idle time refills the burst, and the
/// state never drifts because it is anchored to `now` whenever the key is idle.
///
/// `T` is rounded *up* to the nanosecond, so the limiter never admits more than
/// `burst + rate × elapsed` (the error is below one part in `T` nanoseconds).
public struct GCRALimit: Sendable, Equatable {
    /// Configured rate in requests per second (> 0).
    public let ratePerSecond: Double
    /// Requests admitted at once by an idle key (≥ 1).
    public let burst: Int
    /// Emission interval `T` in nanoseconds.
    public let emissionInterval: UInt64
    /// Tolerance `τ = burst × T` in nanoseconds.
    public let tolerance: UInt64

    /// Validates and builds a limit. Rates below one per 10⁶ s, or above 10⁹/s, and bursts outside
    /// 1...10⁹ are refused.
    public init(ratePerSecond: Double, burst: Int) throws(LimiterConfigurationError) {
        guard ratePerSecond.isFinite, ratePerSecond >= 1e-6, ratePerSecond <= 1e9 else {
            throw LimiterConfigurationError(.invalidRate, "rate_per_second must be in 1e-6...1e9, got \(ratePerSecond)")
        }
        guard burst >= 1, burst <= 1_000_000_000 else {
            throw LimiterConfigurationError(.invalidBurst, "burst must be in 1...1e9, got \(burst)")
        }
        let interval = (1e9 / ratePerSecond).rounded(.up)
        let t = UInt64(interval)
        let (tau, overflow) = t.multipliedReportingOverflow(by: UInt64(burst))
        guard !overflow, tau < (1 << 62) else {
            throw LimiterConfigurationError(
                .invalidBurst, "burst / rate_per_second is too large (\(burst) / \(ratePerSecond))")
        }
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        self.emissionInterval = t
        self.tolerance = tau
    }

    /// Decides one request of `cost` cells against `tat` without changing anything.
    ///
    /// A cost above `burst` can never be admitted and is always `limited`.
    public func decide(tat: UInt64, now: UInt64, cost: Int = 1) -> GCRADecision {
        let increment = emissionInterval &* UInt64(max(cost, 1))
        let base = max(tat, now)
        let newTAT = base &+ increment
        let allowAt = newTAT &- min(newTAT, tolerance)  // newTAT − τ, floored at 0
        if allowAt > now {
            // Refill horizon: when the key is idle again.
            let reset = tat > now ? tat - now : 0
            return .limited(retryAfter: allowAt - now, resetAfter: reset)
        }
        let remaining = Int((now &+ tolerance &- newTAT) / emissionInterval)
        return .allowed(newTAT: newTAT, remaining: remaining, resetAfter: newTAT - now)
    }

    /// Decides and, when allowed, stores the new TAT.
    public func decide(tat: inout UInt64, now: UInt64, cost: Int = 1) -> GCRADecision {
        let decision = decide(tat: tat, now: now, cost: cost)
        if case .allowed(let newTAT, _, _) = decision { tat = newTAT }
        return decision
    }

    /// True when a key with this TAT is indistinguishable from a fresh key at `now`: it can be dropped
    /// without changing any future decision.
    @inline(__always)
    public func isIdle(tat: UInt64, now: UInt64) -> Bool { tat <= now }

    /// What the key has left right now, without consuming anything.
    public func remaining(tat: UInt64, now: UInt64) -> Int {
        let base = max(tat, now)
        return Int((now &+ tolerance &- min(base, now &+ tolerance)) / emissionInterval)
    }

    /// The `w` (window, whole seconds ≥ 1) advertised in `RateLimit-Policy`: the time to refill `burst`.
    public var policyWindowSeconds: Int {
        max(1, Int(Nanoseconds.secondsRoundedUp(tolerance)))
    }
}

/// The outcome of one GCRA check. Durations are nanoseconds.
public enum GCRADecision: Sendable, Equatable {
    /// Admitted. `remaining` more requests fit right now; the key is full again after `resetAfter`.
    case allowed(newTAT: UInt64, remaining: Int, resetAfter: UInt64)
    /// Refused. The same request would be admitted after `retryAfter`; the burst is full after `resetAfter`.
    case limited(retryAfter: UInt64, resetAfter: UInt64)

    public var isAllowed: Bool {
        if case .allowed = self { return true }
        return false
    }
}

/// A GCRA limiter over an unbounded dictionary of keys. The `Limiter` facade uses the bounded
/// `KeyTable` instead; this type is for single-purpose use and for tests.
public struct GCRALimiter<Key: Hashable>: Sendable where Key: Sendable {
    public let limit: GCRALimit
    private var tats: [Key: UInt64] = [:]

    public init(limit: GCRALimit) { self.limit = limit }

    /// Decides one request of `cost` for `key` at `now`, storing the new state when admitted.
    public mutating func decide(_ key: Key, now: UInt64, cost: Int = 1) -> GCRADecision {
        var tat = tats[key] ?? 0
        let decision = limit.decide(tat: &tat, now: now, cost: cost)
        if decision.isAllowed { tats[key] = tat }
        return decision
    }

    /// Drops keys whose state is equivalent to fresh at `now`.
    public mutating func dropIdle(now: UInt64) {
        tats = tats.filter { !limit.isIdle(tat: $0.value, now: now) }
    }

    public var count: Int { tats.count }
}
