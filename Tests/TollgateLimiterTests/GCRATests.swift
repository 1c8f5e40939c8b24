import Testing

@testable import TollgateLimiter

@Suite struct GCRATests {
    let second = Nanoseconds.perSecond

    @Test func freshKeyAdmitsBurstThenOnePerInterval() throws {
        let limit = try GCRALimit(ratePerSecond: 10, burst: 5)
        #expect(limit.emissionInterval == 100_000_000)
        var limiter = GCRALimiter<String>(limit: limit)
        let t0: UInt64 = 50 * second
        for i in 0..<5 {
            let d = limiter.decide("a", now: t0)
            guard case .allowed(_, let remaining, _) = d else {
                Issue.record("request \(i) refused: \(d)")
                return
            }
            #expect(remaining == 4 - i)
        }
        // The sixth is refused, and told to come back after exactly one emission interval.
        #expect(limiter.decide("a", now: t0) == .limited(retryAfter: 100_000_000, resetAfter: 500_000_000))
        // One nanosecond early is still too early; exactly on time is admitted.
        #expect(!limiter.decide("a", now: t0 + 100_000_000 - 1).isAllowed)
        #expect(limiter.decide("a", now: t0 + 100_000_000).isAllowed)
        #expect(!limiter.decide("a", now: t0 + 100_000_000).isAllowed)
        #expect(limiter.decide("a", now: t0 + 200_000_000).isAllowed)
    }

    @Test func idleTimeRefillsTheBurstButNoMore() throws {
        let limit = try GCRALimit(ratePerSecond: 2, burst: 3)
        var limiter = GCRALimiter<Int>(limit: limit)
        let t0: UInt64 = 10 * second
        for _ in 0..<3 { #expect(limiter.decide(1, now: t0).isAllowed) }
        #expect(!limiter.decide(1, now: t0).isAllowed)
        // Idle for an hour: the burst is back, but only the burst.
        let later = t0 + 3600 * second
        var admitted = 0
        while limiter.decide(1, now: later).isAllowed { admitted += 1 }
        #expect(admitted == 3)
        // Half-way refill: after 1 s at 2/s, exactly two more.
        admitted = 0
        while limiter.decide(1, now: later + second).isAllowed { admitted += 1 }
        #expect(admitted == 2)
    }

    @Test func retryAfterIsExactAndAdmitted() throws {
        let limit = try GCRALimit(ratePerSecond: 3, burst: 1)
        var tat: UInt64 = 0
        let t0: UInt64 = 7 * second
        #expect(limit.decide(tat: &tat, now: t0).isAllowed)
        guard case .limited(let retry, _) = limit.decide(tat: &tat, now: t0 + 12_345) else {
            Issue.record("expected limited")
            return
        }
        #expect(retry == limit.emissionInterval - 12_345)
        #expect(limit.decide(tat: &tat, now: t0 + 12_345 + retry).isAllowed)
    }

    @Test func steadyRateAtExactlyTheIntervalNeverDrifts() throws {
        let limit = try GCRALimit(ratePerSecond: 7, burst: 2)
        var tat: UInt64 = 0
        var now: UInt64 = 3 * second
        // Drain the burst, then send exactly one per interval for 100,000 requests: all admitted.
        #expect(limit.decide(tat: &tat, now: now).isAllowed)
        #expect(limit.decide(tat: &tat, now: now).isAllowed)
        var refused = 0
        for _ in 0..<100_000 {
            now += limit.emissionInterval
            if !limit.decide(tat: &tat, now: now).isAllowed { refused += 1 }
        }
        #expect(refused == 0)
        // The key is still exactly at the edge: one more right now is refused.
        #expect(!limit.decide(tat: &tat, now: now).isAllowed)
    }

    @Test func costAboveBurstIsNeverAdmitted() throws {
        let limit = try GCRALimit(ratePerSecond: 1, burst: 3)
        var tat: UInt64 = 0
        #expect(!limit.decide(tat: &tat, now: 100 * second, cost: 4).isAllowed)
        #expect(limit.decide(tat: &tat, now: 100 * second, cost: 3).isAllowed)
        #expect(tat == 103 * second)
    }

    @Test func idleMeansEquivalentToFresh() throws {
        let limit = try GCRALimit(ratePerSecond: 1, burst: 2)
        var tat: UInt64 = 0
        _ = limit.decide(tat: &tat, now: 5 * second)
        #expect(!limit.isIdle(tat: tat, now: 5 * second))
        #expect(limit.isIdle(tat: tat, now: 6 * second))
        #expect(limit.remaining(tat: tat, now: 6 * second) == 2)
        #expect(limit.remaining(tat: tat, now: 5 * second) == 1)
    }

    @Test(arguments: [(0.0, 1), (-1.0, 1), (Double.nan, 1), (1.0, 0), (1.0, -3), (1e-6, 1_000_000_000)])
    func invalidLimitsAreRefused(rate: Double, burst: Int) {
        #expect(throws: LimiterConfigurationError.self) { try GCRALimit(ratePerSecond: rate, burst: burst) }
    }

    @Test func policyWindowIsTheRefillTime() throws {
        #expect(try GCRALimit(ratePerSecond: 10, burst: 10).policyWindowSeconds == 1)
        #expect(try GCRALimit(ratePerSecond: 1, burst: 60).policyWindowSeconds == 60)
        #expect(try GCRALimit(ratePerSecond: 100, burst: 1).policyWindowSeconds == 1)
    }
}
