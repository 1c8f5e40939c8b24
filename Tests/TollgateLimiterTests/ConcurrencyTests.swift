import Testing

@testable import TollgateLimiter

@Suite struct ConcurrencyTests {
    func limiter(perFunction: Int? = 4, perClient: Int? = 2, fairShare: Bool = false) throws -> Limiter {
        try Limiter(
            configuration: LimitsConfiguration(
                defaults: FunctionLimits(
                    concurrency: ConcurrencySettings(
                        perFunction: perFunction, perClient: perClient, fairShare: fairShare)
                )))
    }

    /// Every exit path releases the permit: counts return to zero and the slot is reusable.
    @Test(arguments: CompletionOutcome.allCases)
    func releaseOnEveryExitPath(outcome: CompletionOutcome) throws {
        let clock = ManualClock()
        let l = try limiter()
        let f = l.function(named: "fn")
        let a = try #require(l.decide(f, "c1", clock).admission)
        let b = try #require(l.decide(f, "c1", clock).admission)
        #expect(l.decide(f, "c1", clock).rejection?.kind == .clientConcurrency)
        var s = l.stats()
        #expect(s.functionInFlight["*"] == 2 && s.clientInFlight == 2 && s.outstandingPermits == 2)
        #expect(s.activeClients["*"] == 1)
        clock.advance(by: 50 * ms)
        #expect(l.complete(a, outcome: outcome, now: clock.nanoseconds()) != .alreadyReleased)
        #expect(l.complete(b, outcome: outcome, now: clock.nanoseconds()) != .alreadyReleased)
        s = l.stats()
        #expect(s.functionInFlight["*"] == 0)
        #expect(s.clientInFlight == 0)
        #expect(s.outstandingPermits == 0)
        #expect(s.activeClients["*"] == 0)
        #expect(s.doubleReleases == 0)
        #expect(l.decide(f, "c1", clock).isAllowed)
    }

    @Test func doubleReleaseIsHarmlessAndCounted() throws {
        let clock = ManualClock()
        let l = try limiter()
        let f = l.function(named: "fn")
        let a = try #require(l.decide(f, "c1", clock).admission)
        let other = try #require(l.decide(f, "c2", clock).admission)
        #expect(l.complete(a, outcome: .success, now: clock.nanoseconds()) != .alreadyReleased)
        #expect(l.complete(a, outcome: .error, now: clock.nanoseconds()) == .alreadyReleased)
        #expect(l.complete(a, outcome: .timeout, now: clock.nanoseconds()) == .alreadyReleased)
        let s = l.stats()
        // The second client's permit is untouched by the repeated releases.
        #expect(s.functionInFlight["*"] == 1)
        #expect(s.clientInFlight == 1)
        #expect(s.doubleReleases == 2)
        _ = l.complete(other, outcome: .success, now: clock.nanoseconds())
        #expect(l.stats().functionInFlight["*"] == 0)
    }

    @Test func functionCapHoldsAcrossClients() throws {
        let clock = ManualClock()
        let l = try limiter(perFunction: 3, perClient: nil)
        let f = l.function(named: "fn")
        var held: [Admission] = []
        for c in ["a", "b", "c"] { held.append(try #require(l.decide(f, c, clock).admission)) }
        let r = try #require(l.decide(f, "d", clock).rejection)
        #expect(r.kind == .functionConcurrency)
        #expect(r.headers.policy.isEmpty && r.headers.retryAfterSeconds == 3)
        #expect(r.retryAfterSeconds >= 1)
        _ = l.complete(held[0], outcome: .success, now: clock.nanoseconds())
        #expect(l.decide(f, "d", clock).isAllowed)
    }

    @Test func fairShareLimitsOneClientToItsShare() throws {
        let clock = ManualClock()
        let l = try limiter(perFunction: 8, perClient: nil, fairShare: true)
        let f = l.function(named: "fn")
        // Alone, a client may take the whole function.
        var greedy: [Admission] = []
        while let a = l.decide(f, "greedy", clock).admission, greedy.count < 20 { greedy.append(a) }
        #expect(greedy.count == 8)
        for a in greedy.dropFirst(4) { _ = l.complete(a, outcome: .success, now: clock.nanoseconds()) }
        // A second client arrives: the share is ceil(8 / 2) = 4, so greedy (holding 4) gets no more...
        let polite = try #require(l.decide(f, "polite", clock).admission)
        #expect(l.decide(f, "greedy", clock).rejection?.kind == .clientConcurrency)
        // ...while the polite client can still grow to its share.
        var more: [Admission] = [polite]
        while let a = l.decide(f, "polite", clock).admission, more.count < 20 { more.append(a) }
        #expect(more.count == 4)
    }

    @Test func lostPermitsExpireAfterTheirTTL() throws {
        let clock = ManualClock()
        let l = try Limiter(
            configuration: LimitsConfiguration(
                defaults: FunctionLimits(
                    concurrency: ConcurrencySettings(perFunction: 1), timeoutSeconds: 2, permitTTLSeconds: 5)))
        let f = l.function(named: "fn")
        let lost = try #require(l.decide(f, "c", clock).admission)
        #expect(l.decide(f, "c", clock).rejection?.kind == .functionConcurrency)
        clock.advance(seconds: 4)
        #expect(l.expire(now: clock.nanoseconds()) == 0)
        clock.advance(seconds: 2)
        #expect(l.expire(now: clock.nanoseconds()) == 1)
        let s = l.stats()
        #expect(s.functionInFlight["*"] == 0 && s.clientInFlight == 0 && s.expiredPermits == 1)
        // A late release of the expired permit is detected, not double-counted.
        #expect(l.complete(lost, outcome: .success, now: clock.nanoseconds()) == .alreadyReleased)
        #expect(l.decide(f, "c", clock).isAllowed)
    }

    @Test func refusedRequestsAcquireNothing() throws {
        let clock = ManualClock()
        let l = try Limiter(
            configuration: LimitsConfiguration(
                defaults: FunctionLimits(
                    perClientRate: RateSettings(ratePerSecond: 1, burst: 1),
                    perFunctionRate: RateSettings(ratePerSecond: 100, burst: 2),
                    concurrency: ConcurrencySettings(perFunction: 10))))
        let f = l.function(named: "fn")
        let a = try #require(l.decide(f, "abuser", clock).admission)
        for _ in 0..<50 { #expect(l.decide(f, "abuser", clock).rejection?.kind == .clientRate) }
        // The abuser's refusals consumed none of the function's burst of 2: one more client fits.
        #expect(l.decide(f, "other", clock).isAllowed)
        #expect(l.decide(f, "third", clock).rejection?.kind == .functionRate)
        let s = l.stats()
        #expect(s.functionInFlight["*"] == 2)
        #expect(s.rejected[.clientRate] == 50)
        _ = a
    }
}
