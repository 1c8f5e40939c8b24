import Dispatch
import Testing

@testable import TollgateLimiter

@Suite struct ThreadSafetyTests {
    /// Many threads deciding and completing at once: counts stay consistent and return to zero.
    @Test func concurrentDecideAndCompleteKeepCountsConsistent() throws {
        let l = try Limiter(
            configuration: LimitsConfiguration(
                defaults: FunctionLimits(
                    perClientRate: RateSettings(ratePerSecond: 1_000, burst: 50),
                    concurrency: ConcurrencySettings(perFunction: 16, perClient: 4),
                    perClientBudget: BudgetSettings(maxDollars: 1), perFunctionBudget: BudgetSettings(maxDollars: 10)),
                maxKeys: 64))
        let f = l.function(named: "fn")
        let clock = ManualClock()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            var held: [Admission] = []
            for i in 0..<2_000 {
                clock.advance(by: 1_000)
                let key = Array("client-\((worker * 31 + i) % 100)".utf8)
                if case .allow(let a) = l.decide(function: f, clientKey: key, now: clock.nanoseconds()) {
                    held.append(a)
                }
                if held.count > 2 || i % 3 == 0, let a = held.popLast() {
                    let outcome = CompletionOutcome.allCases[i % CompletionOutcome.allCases.count]
                    _ = l.complete(a, outcome: outcome, now: clock.nanoseconds())
                }
            }
            for a in held { _ = l.complete(a, outcome: .success, now: clock.nanoseconds()) }
        }
        let s = l.stats()
        #expect(s.outstandingPermits == 0)
        #expect(s.functionInFlight["*"] == 0)
        #expect(s.clientInFlight == 0)
        #expect(s.activeClients["*"] == 0)
        #expect(s.keys <= 64)
        #expect(s.doubleReleases == 0)
        #expect(s.admitted > 0)
    }
}
