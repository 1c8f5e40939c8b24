import PropertyBased
import Testing

@testable import TollgateLimiter

@Suite struct GCRAPropertyTests {
    /// For any arrival pattern, admitted requests in any prefix never exceed burst + rate × elapsed.
    @Test func neverAdmitsMoreThanBurstPlusRateTimesElapsed() async {
        await propertyCheck(
            count: 200,
            input: Gen.int(in: 1...50), Gen.int(in: 1...20), Gen.int(in: 0...400_000_000).array(of: 1...300)
        ) { rate, burst, gaps in
            guard let limit = try? GCRALimit(ratePerSecond: Double(rate), burst: burst) else {
                Issue.record("valid limit refused")
                return
            }
            var tat: UInt64 = 0
            let start: UInt64 = 1_000_000_000
            var now = start
            var admitted = 0
            for gap in gaps {
                now += UInt64(gap)
                if limit.decide(tat: &tat, now: now).isAllowed { admitted += 1 }
                let elapsed = Double(now - start) / 1e9
                #expect(Double(admitted) <= Double(burst) + Double(rate) * elapsed + 1e-9)
            }
        }
    }

    /// Through the facade, a single abusive client is held to burst + rate × elapsed, whatever it sends.
    @Test func facadeNeverAdmitsMoreThanBurstPlusRateTimesElapsed() async throws {
        await propertyCheck(
            count: 50,
            input: Gen.int(in: 1...20), Gen.int(in: 1...10), Gen.int(in: 0...50_000_000).array(of: 1...400)
        ) { rate, burst, gaps in
            let config = LimitsConfiguration(
                defaults: FunctionLimits(perClientRate: RateSettings(ratePerSecond: Double(rate), burst: burst)))
            guard let limiter = try? Limiter(configuration: config) else {
                Issue.record("valid configuration refused")
                return
            }
            let f = limiter.function(named: "fn")
            let start: UInt64 = 5_000_000_000
            var now = start
            var admitted = 0
            for gap in gaps {
                now += UInt64(gap)
                if case .allow(let a) = limiter.decide(function: f, clientKey: Array("abuser".utf8), now: now) {
                    admitted += 1
                    _ = limiter.complete(a, outcome: .success, upstreamNanoseconds: 1_000, now: now)
                }
                let elapsed = Double(now - start) / 1e9
                #expect(Double(admitted) <= Double(burst) + Double(rate) * elapsed + 1e-9)
            }
        }
    }

    /// A client that never exceeds the configured rate (gaps ≥ the interval) is never refused.
    @Test func compliantClientIsNeverRefused() async {
        await propertyCheck(
            count: 200, input: Gen.int(in: 1...100), Gen.int(in: 1...5), Gen.int(in: 0...1_000_000).array(of: 1...200)
        ) { rate, burst, extra in
            guard let limit = try? GCRALimit(ratePerSecond: Double(rate), burst: burst) else { return }
            var tat: UInt64 = 0
            var now: UInt64 = 2_000_000_000
            for e in extra {
                #expect(limit.decide(tat: &tat, now: now).isAllowed)
                now += limit.emissionInterval + UInt64(e)
            }
        }
    }
}
