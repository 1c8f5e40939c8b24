import Testing

@testable import TollgateLimiter

/// `Limiter.functionBudgetRemaining`: the function budget's limit minus reservations in flight and settled
/// costs, exact after a known sequence.
@Suite struct FunctionBudgetRemainingTests {
    static let maxPicodollars: UInt64 = 100_000_000  // $0.0001
    static let maxMicroGBSeconds: UInt64 = 2_000_000  // 2 GB-s

    func limiter() throws -> Limiter {
        try Limiter(
            configuration: LimitsConfiguration(
                functions: [
                    "fn": FunctionLimits(
                        perFunctionBudget: BudgetSettings(maxDollars: 0.0001, maxGBSeconds: 2, windowSeconds: 60),
                        memoryMB: 1024, timeoutSeconds: 1, reservation: .timeout),
                    "money": FunctionLimits(
                        perFunctionBudget: BudgetSettings(maxDollars: 0.0001, windowSeconds: 60), reservation: .timeout),
                    "free": FunctionLimits(),
                ]))
    }

    func remaining(picodollars used: UInt64, microGBSeconds usedGBs: UInt64) -> BudgetRemaining {
        BudgetRemaining(
            dollars: Double(Self.maxPicodollars - used) / 1e12,
            gbSeconds: Double(Self.maxMicroGBSeconds - usedGBs) / 1e6)
    }

    @Test("reservations, settlement, a refusal, a request never forwarded and the window passing")
    func knownSequence() throws {
        let clock = ManualClock()
        let l = try limiter()
        let f = l.function(named: "fn")
        let reservation = Cost(durationNanoseconds: sec, memoryMB: 1024, pricing: .lambdaX86)
        #expect(reservation.microGBSeconds == 1_000_000)
        #expect(l.functionBudgetRemaining(f, now: clock.nanoseconds()) == remaining(picodollars: 0, microGBSeconds: 0))

        // One admission reserves the timeout's cost (1 s × 1 GB).
        let a = try #require(l.decide(f, "c1", clock).admission)
        #expect(
            l.functionBudgetRemaining(f, now: clock.nanoseconds())
                == remaining(picodollars: reservation.picodollars, microGBSeconds: 1_000_000))

        // Settled at 250 ms: the reservation is replaced by the measured cost.
        clock.advance(by: 250 * ms)
        _ = l.complete(a, outcome: .success, upstreamNanoseconds: 250 * ms, now: clock.nanoseconds())
        let actual = Cost(durationNanoseconds: 250 * ms, memoryMB: 1024, pricing: .lambdaX86)
        #expect(actual.microGBSeconds == 250_000)
        let afterSettlement = remaining(picodollars: actual.picodollars, microGBSeconds: 250_000)
        #expect(l.functionBudgetRemaining(f, now: clock.nanoseconds()) == afterSettlement)

        // A second reservation fits (0.25 + 1 ≤ 2 GB-s), a third does not: the refusal changes nothing.
        let b = try #require(l.decide(f, "c2", clock).admission)
        #expect(l.decide(f, "c3", clock).rejection?.kind == .functionBudget)
        #expect(
            l.functionBudgetRemaining(f, now: clock.nanoseconds())
                == remaining(
                    picodollars: actual.picodollars + reservation.picodollars, microGBSeconds: 1_250_000))

        // Never forwarded: its reservation is released and nothing is charged.
        _ = l.complete(b, outcome: .notForwarded, now: clock.nanoseconds())
        #expect(l.functionBudgetRemaining(f, now: clock.nanoseconds()) == afterSettlement)

        // Client keys do not matter: the function budget is one for all clients. After the window, all is back.
        clock.advance(seconds: 61)
        #expect(l.functionBudgetRemaining(f, now: clock.nanoseconds()) == remaining(picodollars: 0, microGBSeconds: 0))
    }

    @Test("a spent budget reports zero, not a negative amount")
    func flooredAtZero() throws {
        let clock = ManualClock()
        let l = try limiter()
        let f = l.function(named: "fn")
        let a = try #require(l.decide(f, "c", clock).admission)
        // Ran 10 s, far beyond the 1 s reservation and the 2 GB-s budget.
        _ = l.complete(a, outcome: .success, upstreamNanoseconds: 10 * sec, now: clock.nanoseconds())
        let left = try #require(l.functionBudgetRemaining(f, now: clock.nanoseconds()))
        #expect(left.gbSeconds == 0)
        #expect(left.dollars == 0)
    }

    @Test("only the limited units are reported; no function budget: nil")
    func units() throws {
        let clock = ManualClock()
        let l = try limiter()
        let money = try #require(l.functionBudgetRemaining(l.function(named: "money"), now: clock.nanoseconds()))
        #expect(money.dollars == 0.0001)
        #expect(money.gbSeconds == nil)
        #expect(l.functionBudgetRemaining(l.function(named: "free"), now: clock.nanoseconds()) == nil)
        #expect(l.functionBudgetRemaining(l.function(named: "unknown"), now: clock.nanoseconds()) == nil)
    }
}
