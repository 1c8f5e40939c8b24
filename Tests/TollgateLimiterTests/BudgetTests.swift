import Testing

@testable import TollgateLimiter

@Suite struct BudgetTests {
    @Test func costFormulaUsesLambdaPrices() {
        // 128 MB for 3 s: 0.375 GB-s; $0.0000002 + 0.375 × $0.0000166667.
        let c = Cost(durationNanoseconds: 3 * sec, memoryMB: 128, pricing: .lambdaX86)
        #expect(c.microGBSeconds == 375_000)
        #expect(abs(c.dollars - (0.0000002 + 0.375 * 0.0000166667)) < 1e-12)
        #expect(Pricing.lambdaX86.dollarsPerRequest == 0.0000002)
        let zero = Cost(durationNanoseconds: 0, memoryMB: 128, pricing: .lambdaX86)
        #expect(zero.picodollars == 200_000 && zero.microGBSeconds == 0)
    }

    func clientBudgetLimiter(dollars: Double) throws -> Limiter {
        try Limiter(
            configuration: LimitsConfiguration(
                defaults: FunctionLimits(
                    perClientBudget: BudgetSettings(maxDollars: dollars, windowSeconds: 60), reservation: .timeout)))
    }

    @Test func reservationThenSettlementWithTheMeasuredDuration() throws {
        let clock = ManualClock()
        // One worst-case reservation (3 s × 128 MB ≈ $6.45e-6) fits in $1e-5, two do not.
        let l = try clientBudgetLimiter(dollars: 1e-5)
        let f = l.function(named: "fn")
        let reservation = Cost(durationNanoseconds: 3 * sec, memoryMB: 128, pricing: .lambdaX86)
        let a = try #require(l.decide(f, "c", clock).admission)
        #expect(a.reserved == reservation)
        let left = try #require(a.clientBudgetRemaining?.dollars)
        #expect(abs(left - (1e-5 - reservation.dollars)) < 1e-12)
        let refused = try #require(l.decide(f, "c", clock).rejection)
        #expect(refused.kind == .clientBudget)
        // Clock starts at 1 s; the reservation sits in sub-bucket [0, 15 s) and leaves the window at 60 s.
        #expect(refused.retryAfter == 59 * sec)
        #expect(refused.budgetRemaining?.dollars != nil)
        #expect(refused.jsonBody.hasPrefix("{\"error\":\"budget_exhausted\",\"limit\":\"client_budget\""))
        // Settle with 100 ms: the reservation is replaced by the actual, much smaller cost.
        clock.advance(by: 100 * ms)
        let result = l.complete(a, outcome: .success, upstreamNanoseconds: 100 * ms, now: clock.nanoseconds())
        let actual = Cost(durationNanoseconds: 100 * ms, memoryMB: 128, pricing: .lambdaX86)
        #expect(result == .released(charged: actual))
        let b = try #require(l.decide(f, "c", clock).admission)
        let left2 = try #require(b.clientBudgetRemaining?.dollars)
        #expect(abs(left2 - (1e-5 - actual.dollars - reservation.dollars)) < 1e-12)
        // Another client has its own budget.
        #expect(l.decide(f, "other", clock).isAllowed)
    }

    @Test func notForwardedChargesNothing() throws {
        let clock = ManualClock()
        let l = try clientBudgetLimiter(dollars: 1e-5)
        let f = l.function(named: "fn")
        for _ in 0..<10 {
            let a = try #require(l.decide(f, "c", clock).admission)
            #expect(l.complete(a, outcome: .notForwarded, now: clock.nanoseconds()) == .released(charged: .zero))
        }
    }

    @Test func unsettledReservationExpiresWithTheWindow() throws {
        let clock = ManualClock()
        let l = try Limiter(
            configuration: LimitsConfiguration(
                defaults: FunctionLimits(
                    perClientBudget: BudgetSettings(maxDollars: 1e-5, windowSeconds: 60), reservation: .timeout,
                    permitTTLSeconds: 10)))
        let f = l.function(named: "fn")
        _ = try #require(l.decide(f, "c", clock).admission)  // never completed
        #expect(l.decide(f, "c", clock).rejection?.kind == .clientBudget)
        clock.advance(seconds: 11)
        #expect(l.expire(now: clock.nanoseconds()) == 1)
        // The reservation was kept as the charge; it stays until its sub-bucket leaves the window.
        #expect(l.decide(f, "c", clock).rejection?.kind == .clientBudget)
        clock.advance(seconds: 49)
        #expect(l.decide(f, "c", clock).isAllowed)
        #expect(l.stats().expiredPermits == 1)
    }

    @Test func gbSecondBudget() throws {
        let clock = ManualClock()
        let l = try Limiter(
            configuration: LimitsConfiguration(
                defaults: FunctionLimits(
                    perFunctionBudget: BudgetSettings(maxGBSeconds: 1, windowSeconds: 60), memoryMB: 1024,
                    reservation: .movingAverage(smoothing: 0.5))))
        let f = l.function(named: "fn")
        // 1 GB × 0.25 s = 0.25 GB-s per call: the first reservation is the 3 s timeout (3 GB-s > 1): refused.
        #expect(l.decide(f, "c", clock).rejection?.kind == .functionBudget)
        // A lower timeout makes the first reservation fit.
        let l2 = try Limiter(
            configuration: LimitsConfiguration(
                defaults: FunctionLimits(
                    perFunctionBudget: BudgetSettings(maxGBSeconds: 1, windowSeconds: 60), memoryMB: 1024,
                    timeoutSeconds: 0.5, reservation: .movingAverage(smoothing: 0.5))))
        var admitted = 0
        for _ in 0..<10 {
            guard let a = l2.decide(f, "c", clock).admission else { break }
            admitted += 1
            _ = l2.complete(a, outcome: .success, upstreamNanoseconds: 250 * ms, now: clock.nanoseconds())
        }
        #expect(admitted == 4)
    }

    /// An expensive slow function exhausts a money budget long before a cheap fast one at the same rate.
    @Test func expensiveSlowFunctionExhaustsMoneyBudgetFirst() throws {
        let budget = BudgetSettings(maxDollars: 0.001, windowSeconds: 3600)
        let config = LimitsConfiguration(
            functions: [
                "expensive": FunctionLimits(perFunctionBudget: budget, memoryMB: 1024, timeoutSeconds: 10),
                "cheap": FunctionLimits(perFunctionBudget: budget, memoryMB: 128, timeoutSeconds: 10),
            ])
        let l = try Limiter(configuration: config)
        let clock = ManualClock()
        let expensive = l.function(named: "expensive")
        let cheap = l.function(named: "cheap")
        var firstExpensiveRefusal: Int?
        var cheapRefusals = 0
        // 10 requests per second to each for 60 s, from rotating clients.
        for i in 0..<600 {
            let client = "client-\(i % 7)"
            switch l.decide(expensive, client, clock) {
            case .allow(let a):
                _ = l.complete(a, outcome: .success, upstreamNanoseconds: 2 * sec, now: clock.nanoseconds())
            case .reject(let r):
                #expect(r.kind == .functionBudget)
                if firstExpensiveRefusal == nil { firstExpensiveRefusal = i }
            }
            switch l.decide(cheap, client, clock) {
            case .allow(let a):
                _ = l.complete(a, outcome: .success, upstreamNanoseconds: 50 * ms, now: clock.nanoseconds())
            case .reject: cheapRefusals += 1
            }
            clock.advance(by: 100 * ms)
        }
        // $0.001 / ($0.0000002 + 2 s × 1 GB × $0.0000166667) ≈ 29.8 calls.
        let first = try #require(firstExpensiveRefusal)
        #expect(first >= 25 && first <= 30)
        #expect(cheapRefusals == 0)
    }

    @Test func rollingWindowRetryAfterWalksOldBuckets() {
        let w = RollingWindow(windowNanoseconds: 40 * sec, buckets: 4, lanes: 1)
        var storage = [UInt64](repeating: 0, count: 4)
        var epoch: UInt32 = 0
        // Charge 5 at t = 1 s (bucket 0), 7 at t = 12 s (bucket 1), 1 at t = 25 s (bucket 2).
        for (t, v) in [(1, 5), (12, 7), (25, 1)] as [(UInt64, UInt64)] {
            w.advance(&storage, base: 0, epoch: &epoch, now: t * sec)
            w.add(&storage, base: 0, bucket: w.bucketNumber(t * sec), lane: 0, amount: v)
        }
        let now = 26 * sec
        #expect(w.sum(storage, base: 0, lane: 0) == 13)
        #expect(w.timeUntil(storage, base: 0, lane: 0, atMost: 13, now: now) == 0)
        // Down to 8: bucket 0 leaves at 40 s.
        #expect(w.timeUntil(storage, base: 0, lane: 0, atMost: 8, now: now) == 14 * sec)
        // Down to 1: bucket 1 leaves at 50 s.
        #expect(w.timeUntil(storage, base: 0, lane: 0, atMost: 1, now: now) == 24 * sec)
        #expect(w.timeUntil(storage, base: 0, lane: 0, atMost: 0, now: now) == 34 * sec)
        // After the window, everything is gone.
        w.advance(&storage, base: 0, epoch: &epoch, now: 70 * sec)
        #expect(w.sum(storage, base: 0, lane: 0) == 0)
        #expect(w.isEmpty(storage, base: 0, epoch: epoch, now: 70 * sec))
    }

    @Test func exhaustedBudgetCanDegradeToACheaperUpstream() throws {
        let clock = ManualClock()
        let l = try Limiter(
            configuration: LimitsConfiguration(
                defaults: FunctionLimits(
                    concurrency: ConcurrencySettings(perFunction: 5),
                    perFunctionBudget: BudgetSettings(maxDollars: 1e-5, windowSeconds: 60, degradeTo: "cheap"),
                    reservation: .timeout)))
        let f = l.function(named: "fn")
        let first = try #require(l.decide(f, "c", clock).admission)
        #expect(first.degradedTo == nil)
        let second = try #require(l.decide(f, "c", clock).admission)
        #expect(second.degradedTo == Degradation(kind: .functionBudget, upstream: "cheap"))
        #expect(second.reserved == .zero)
        // Degraded requests still hold concurrency...
        #expect(l.stats().functionInFlight["*"] == 2)
        // ...but charge nothing to the budget, nor move the duration average.
        #expect(
            l.complete(second, outcome: .success, upstreamNanoseconds: sec, now: clock.nanoseconds())
                == .released(charged: .zero))
        _ = l.complete(first, outcome: .success, upstreamNanoseconds: 3 * sec, now: clock.nanoseconds())
        #expect(l.stats().degraded[.functionBudget] == 1)
        #expect(l.stats().functionInFlight["*"] == 0)
        #expect(throws: LimiterConfigurationError(.invalidBudget, "", function: "*")) {
            try Limiter(
                configuration: LimitsConfiguration(
                    defaults: FunctionLimits(perClientBudget: BudgetSettings(maxDollars: 1, degradeTo: ""))))
        }
    }
}
