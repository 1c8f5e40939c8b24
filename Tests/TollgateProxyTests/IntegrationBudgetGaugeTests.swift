import Dispatch
import Foundation
import Synchronization
import Testing
import TollgateLimiter
import TollgateMetrics
import TollgateTestSupport

@testable import TollgateProxy

extension GatewayIntegration {
    /// `tollgate_function_budget_remaining_*` scraped over loopback: the full budget, an in-flight reservation
    /// taken off exactly, then the limit minus what was spent; with the local limiter and with Redis.
    @Suite(.serialized) struct IntegrationBudgetGaugeTests {
        /// Gauges in the limiter's fixed point (picodollars, micro-GB-seconds).
        struct Remaining: Equatable, CustomStringConvertible {
            var picodollars: Int64
            var microGBSeconds: Int64
            var description: String { "\(picodollars) p$, \(microGBSeconds) µGB-s" }
        }

        static func remaining(_ exposition: Exposition, _ function: String) -> Remaining? {
            guard let usd = exposition.value("tollgate_function_budget_remaining_usd", ["function": function]),
                let gbs = exposition.value(
                    "tollgate_function_budget_remaining_gigabyte_seconds", ["function": function])
            else { return nil }
            return Remaining(picodollars: Int64((usd * 1e12).rounded()), microGBSeconds: Int64((gbs * 1e6).rounded()))
        }

        static let limit = Remaining(picodollars: 1_000_000_000, microGBSeconds: 10_000_000)

        @Test("local limiter: full budget, minus an in-flight reservation, then the limit minus what was spent")
        func local() throws {
            try run(store: nil)
        }

        @Test(
            "Redis store: the same values, from the admit and settle scripts' replies",
            .enabled(if: redisServerAvailable, "redis-server not installed at /usr/bin/redis-server"))
        func redis() throws {
            let server = try RedisServerProcess()
            defer { server.kill() }
            try run(store: "redis://127.0.0.1:\(server.port)")
        }

        func run(store: String?) throws {
            let upstream = try okUpstream(delayFor: "/paid/slow", delayMicroseconds: 1_000_000)
            defer { upstream.stop() }
            let storeLines = store.map { "  store: \"\($0)\"\n  store_timeout_ms: 1000\n" } ?? ""
            let harness = try GatewayHarness(
                yaml: """
                    functions:
                      - name: paid
                        route: /paid
                        upstream: "http://127.0.0.1:\(upstream.port)"
                        memory_mb: 1024
                        timeout_ms: 2000
                      - name: free
                        route: /free
                        upstream: "http://127.0.0.1:\(upstream.port)"
                      - name: probe
                        route: /probe
                        upstream: "http://127.0.0.1:\(upstream.port)"
                    limits:
                    \(storeLines)  cost_estimate: timeout
                      functions:
                        probe:
                          per_client: {rate_per_second: 1000, burst: 1000}
                        paid:
                          per_function:
                            budget: {usd: 0.001, gb_seconds: 10, window_seconds: 3600}
                    """, workers: 1)
            defer { harness.stop() }
            let limits = try #require(harness.gateway.proxy.currentLimits)
            let paid = limits.limiter.function(named: "paid")
            let pricing = limits.setup.limits.limits(for: "paid").pricing
            let reservation = Cost(durationNanoseconds: 2_000_000_000, memoryMB: 1024, pricing: pricing)
            #expect(reservation.microGBSeconds == 2_000_000)

            if store == nil {
                // Nothing spent yet: exactly the configured budget.
                let first = try harness.scrape().exposition
                #expect(Self.remaining(first, "paid") == Self.limit)
                #expect(first.value("tollgate_function_budget_limit_gigabyte_seconds", ["function": "paid"]) == 10)
            } else {
                // Wait (bounded) until the store decides, with a function that has no budget: a paid request
                // decided locally before the store is connected (fail-open) would not be in the store's budget.
                #expect(
                    ProxyHarness.eventually(timeout: 5) {
                        _ = try? harness.get("/probe/warm")
                        return (limits.storeCounters.storeDecisions.load(ordering: .relaxed)) > 0
                    })
            }

            // Settled requests: remaining = limit − spent (the proxy's spent counters use the same measured
            // durations; the limiter rounds each charge to 1 p$ and 1 µGB-s).
            func settledIdentityHolds() -> Bool {
                guard let exposition = try? harness.scrape().exposition,
                    let left = Self.remaining(exposition, "paid"),
                    let usd = exposition.value("tollgate_function_spent_usd_total", ["function": "paid"]),
                    let gbs = exposition.value("tollgate_function_spent_gigabyte_seconds_total", ["function": "paid"]),
                    exposition.value("tollgate_function_reserved_gigabyte_seconds", ["function": "paid"]) == 0
                else { return false }
                let requests = Double(upstream.requests.count)
                return abs(Double(left.microGBSeconds) + gbs * 1e6 - 10_000_000) <= requests + 1
                    && abs(Double(left.picodollars) + usd * 1e12 - 1_000_000_000) <= requests + 1
            }
            #expect(try harness.get("/paid/fast").status == 200)
            #expect(ProxyHarness.eventually(timeout: 5) { settledIdentityHolds() })
            let before = try #require(Self.remaining(try harness.scrape().exposition, "paid"))
            #expect(before.microGBSeconds < Self.limit.microGBSeconds)

            // One request in flight (the upstream takes 1 s): its reservation is taken off exactly.
            let done = DispatchSemaphore(value: 0)
            let slowStatus = Mutex(0)
            DispatchQueue.global().async {
                let status = (try? harness.get("/paid/slow").status) ?? -1
                slowStatus.withLock { $0 = status }
                done.signal()
            }
            let expected = Remaining(
                picodollars: before.picodollars - Int64(reservation.picodollars),
                microGBSeconds: before.microGBSeconds - Int64(reservation.microGBSeconds))
            var inFlight: Remaining?
            #expect(
                ProxyHarness.eventually(timeout: 5) {
                    inFlight = (try? harness.scrape().exposition).flatMap { Self.remaining($0, "paid") }
                    return inFlight == expected
                }, "in flight: \(String(describing: inFlight)), expected \(expected)")
            #expect(done.wait(timeout: .now() + 10) == .success)
            #expect(slowStatus.withLock { $0 } == 200)

            // Settled with the measured ~1 s: back to limit − spent, about 1 GB-s more spent than before.
            #expect(ProxyHarness.eventually(timeout: 5) { settledIdentityHolds() })
            let after = try #require(Self.remaining(try harness.scrape().exposition, "paid"))
            #expect(after.microGBSeconds <= before.microGBSeconds - 1_000_000)
            #expect(after.microGBSeconds > expected.microGBSeconds)

            let exposition = try harness.scrape().exposition
            // A function without a budget reads 0, like its limit.
            #expect(Self.remaining(exposition, "free") == Remaining(picodollars: 0, microGBSeconds: 0))
            #expect(exposition.value("tollgate_function_budget_limit_usd", ["function": "free"]) == 0)
            if store != nil {
                // The gauge came from the store: the local limiter (unused while the store answers) is untouched.
                let local = try #require(limits.limiter.functionBudgetRemaining(paid, now: SystemClock().nanoseconds()))
                #expect(local.gbSeconds == 10)
                #expect(limits.storeCounters.storeBudgetUse(of: "paid") != nil)
            }
        }
    }
}
