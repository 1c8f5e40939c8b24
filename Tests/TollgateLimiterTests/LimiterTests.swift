import Testing

@testable import TollgateLimiter

@Suite struct LimiterTests {
    @Test func shadowModeAdmitsButRecordsWhatWouldHaveBeenRefused() throws {
        let clock = ManualClock()
        let l = try Limiter(
            configuration: LimitsConfiguration(
                defaults: FunctionLimits(perClientRate: RateSettings(ratePerSecond: 1, burst: 1), shadow: true)))
        let f = l.function(named: "fn")
        let first = try #require(l.decide(f, "c", clock).admission)
        #expect(first.shadowRejection == nil)
        var shadowed: [Admission] = []
        for _ in 0..<5 {
            let a = try #require(l.decide(f, "c", clock).admission)
            #expect(a.shadowRejection == .clientRate)
            shadowed.append(a)
        }
        let s = l.stats()
        #expect(s.shadowRejected[.clientRate] == 5)
        #expect(s.rejected[.clientRate] == 0)
        #expect(s.admitted == 1)
        // Would-be refusals hold nothing; completing them is a no-op.
        for a in shadowed { #expect(l.complete(a, outcome: .success, now: clock.nanoseconds()) == .shadow) }
        #expect(l.complete(first, outcome: .success, now: clock.nanoseconds()) != .alreadyReleased)
        // State mirrors enforcement: the would-be refusals did not push the key further into the future.
        clock.advance(seconds: 1)
        #expect(try #require(l.decide(f, "c", clock).admission).shadowRejection == nil)
        #expect(l.stats().functionInFlight["*"] == 1)
    }

    @Test func rateLimitHeaderValues() throws {
        let clock = ManualClock()
        let l = try Limiter(
            configuration: LimitsConfiguration(
                defaults: FunctionLimits(
                    perClientRate: RateSettings(ratePerSecond: 10, burst: 10),
                    perFunctionRate: RateSettings(ratePerSecond: 100, burst: 200))))
        let f = l.function(named: "fn")
        let a = try #require(l.decide(f, "c", clock).admission)
        #expect(a.headers.policy == "\"per_client\";q=10;w=1, \"per_function\";q=200;w=2")
        #expect(a.headers.rateLimit == "\"per_client\";r=9;t=1, \"per_function\";r=199;t=1")
        #expect(a.headers.retryAfterSeconds == nil)
        #expect(a.headers.fields.map(\.name) == ["RateLimit-Policy", "RateLimit"])
        for _ in 0..<9 { _ = l.decide(f, "c", clock) }
        let r = try #require(l.decide(f, "c", clock).rejection)
        #expect(r.kind == .clientRate)
        #expect(r.retryAfter == 100 * ms)
        #expect(r.retryAfterSeconds == 1)
        #expect(r.headers.rateLimit.hasPrefix("\"per_client\";r=0;t=1"))
        #expect(r.headers.fields.last?.name == "Retry-After")
        #expect(r.headers.fields.last?.value == "1")
        // A refusal by a later check reports the rate quota this request did not consume.
        let capped = try Limiter(
            configuration: LimitsConfiguration(
                defaults: FunctionLimits(
                    perClientRate: RateSettings(ratePerSecond: 10, burst: 10),
                    concurrency: ConcurrencySettings(perFunction: 1))))
        let held = try #require(capped.decide(f, "x", clock).admission)
        let refused = try #require(capped.decide(f, "y", clock).rejection)
        #expect(refused.kind == .functionConcurrency)
        #expect(refused.headers.rateLimit == "\"per_client\";r=10;t=0")
        _ = capped.complete(held, outcome: .success, now: clock.nanoseconds())
        #expect(
            r.jsonBody
                == "{\"error\":\"rate_limited\",\"limit\":\"client_rate\",\"function\":\"*\",\"retry_after\":1,"
                + "\"message\":\"Too many requests from this client for function *.\"}")
    }

    @Test func perFunctionOverridesAndUnknownNames() throws {
        let clock = ManualClock()
        let l = try Limiter(
            configuration: LimitsConfiguration(
                defaults: FunctionLimits(perClientRate: RateSettings(ratePerSecond: 1, burst: 1)),
                functions: ["generous": FunctionLimits(perClientRate: RateSettings(ratePerSecond: 1, burst: 5))]))
        let generous = l.function(named: "generous")
        #expect(l.name(of: generous) == "generous")
        #expect(l.function(named: "nope") == Limiter.defaultFunction)
        var n = 0
        while l.decideAndComplete(generous, "c", clock) { n += 1 }
        #expect(n == 5)
        n = 0
        while l.decideAndComplete(l.function(named: "other"), "c", clock) { n += 1 }
        #expect(n == 1)
        // Keys are per (function, client): the same client has separate state per function.
        #expect(l.decideAndComplete(l.function(named: "generous"), "d", clock))
    }

    @Test func oneAbusiveClientDoesNotCauseRefusalsForOthers() throws {
        let clock = ManualClock()
        let l = try Limiter(
            configuration: LimitsConfiguration(
                defaults: FunctionLimits(
                    perClientRate: RateSettings(ratePerSecond: 5, burst: 5),
                    perFunctionRate: RateSettings(ratePerSecond: 50, burst: 50))))
        let f = l.function(named: "fn")
        var abuserAdmitted = 0
        var politeRefused = 0
        // 10 s; the abuser sends 1000/s, ten polite clients 2/s each.
        for tick in 0..<10_000 {
            if l.decideAndComplete(f, "abuser", clock) { abuserAdmitted += 1 }
            if tick % 500 == 0 {
                for p in 0..<10 where !l.decideAndComplete(f, "polite-\(p)", clock) { politeRefused += 1 }
            }
            clock.advance(by: ms)
        }
        #expect(politeRefused == 0)
        // burst 5 + 5/s × 10 s.
        #expect(abuserAdmitted == 5 + 50 - 1 || abuserAdmitted == 5 + 50)
    }

    @Test(arguments: [
        (
            FunctionLimits(perClientRate: RateSettings(ratePerSecond: 0, burst: 1)),
            LimiterConfigurationError.Code.invalidRate
        ),
        (FunctionLimits(perFunctionRate: RateSettings(ratePerSecond: 1, burst: 0)), .invalidBurst),
        (FunctionLimits(concurrency: ConcurrencySettings(perFunction: 0)), .invalidConcurrency),
        (FunctionLimits(concurrency: ConcurrencySettings(perClient: 70_000)), .invalidConcurrency),
        (FunctionLimits(perClientBudget: BudgetSettings(maxDollars: -1)), .invalidBudget),
        (FunctionLimits(perFunctionBudget: BudgetSettings(maxGBSeconds: 1, windowSeconds: 0.5)), .invalidBudget),
        (FunctionLimits(pricing: Pricing(dollarsPerRequest: -1, dollarsPerGBSecond: 0)), .invalidPrice),
        (FunctionLimits(memoryMB: 0), .invalidMemory),
        (FunctionLimits(timeoutSeconds: 0), .invalidTimeout),
        (FunctionLimits(reservation: .movingAverage(smoothing: 0)), .invalidSmoothing),
    ])
    func invalidConfigurationsAreRefusedWithTheirCode(limits: FunctionLimits, code: LimiterConfigurationError.Code) {
        #expect(throws: LimiterConfigurationError(code, "", function: "f")) {
            try Limiter(configuration: LimitsConfiguration(functions: ["f": limits]))
        }
        #expect(throws: LimiterConfigurationError(code, "", function: "*")) {
            try Limiter(configuration: LimitsConfiguration(defaults: limits))
        }
    }

    @Test func invalidTableSettings() {
        #expect(throws: LimiterConfigurationError(.invalidMaxKeys, "")) {
            try Limiter(configuration: LimitsConfiguration(maxKeys: 0))
        }
        #expect(throws: LimiterConfigurationError(.invalidBudget, "")) {
            try Limiter(configuration: LimitsConfiguration(clientBudgetBuckets: 0))
        }
    }

    @Test func movingAverageReservationFollowsMeasuredDurations() throws {
        let clock = ManualClock()
        let l = try Limiter(
            configuration: LimitsConfiguration(
                defaults: FunctionLimits(
                    perFunctionBudget: BudgetSettings(maxDollars: 100), timeoutSeconds: 10,
                    reservation: .movingAverage(smoothing: 0.5))))
        let f = l.function(named: "fn")
        let first = try #require(l.decide(f, "c", clock).admission)
        #expect(first.reserved == Cost(durationNanoseconds: 10 * sec, memoryMB: 128, pricing: .lambdaX86))
        _ = l.complete(first, outcome: .success, upstreamNanoseconds: 2 * sec, now: clock.nanoseconds())
        let second = try #require(l.decide(f, "c", clock).admission)
        #expect(second.reserved == Cost(durationNanoseconds: 2 * sec, memoryMB: 128, pricing: .lambdaX86))
        _ = l.complete(second, outcome: .success, upstreamNanoseconds: 4 * sec, now: clock.nanoseconds())
        let third = try #require(l.decide(f, "c", clock).admission)
        #expect(third.reserved == Cost(durationNanoseconds: 3 * sec, memoryMB: 128, pricing: .lambdaX86))
        // A client abort is a partial duration: it does not move the average.
        _ = l.complete(third, outcome: .clientAbort, upstreamNanoseconds: 1, now: clock.nanoseconds())
        let fourth = try #require(l.decide(f, "c", clock).admission)
        #expect(fourth.reserved == third.reserved)
    }
}
