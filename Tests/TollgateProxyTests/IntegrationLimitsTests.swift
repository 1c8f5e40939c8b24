import Foundation
import Testing
import TollgateConfig
import TollgateMetrics

@testable import TollgateProxy

extension GatewayIntegration {
    /// Limits in the request path over loopback: enforced before rules and upstream, 429 answers with the IETF
    /// headers, 503 when the store fails closed, and permits released on every exit path.
    @Suite(.serialized) struct IntegrationLimitsTests {
        @Test("one abusive client is held to its rate while another client sees no 429")
        func abusiveClientIsHeld() throws {
            let upstream = try okUpstream()
            defer { upstream.stop() }
            let harness = try GatewayHarness(
                yaml: """
                    functions:
                      - name: echo
                        route: /fn
                        upstream: "http://127.0.0.1:\(upstream.port)"
                    limits:
                      client_key: "header:X-Api-Key"
                      per_client: {rate_per_second: 2, burst: 3}
                    """)
            defer { harness.stop() }

            let start = Date()
            var admitted = 0
            var refused: TestResponse?
            for _ in 0..<20 {
                let response = try harness.get("/fn/x", headers: ["X-Api-Key": "abuser"])
                if response.status == 200 { admitted += 1 } else if response.status == 429 { refused = response }
            }
            let elapsed = Date().timeIntervalSince(start)
            // Burst 3 plus what 2/s refills while the loop ran.
            #expect(admitted >= 3)
            #expect(Double(admitted) <= 3 + (elapsed * 2).rounded(.up))
            let rejection = try #require(refused)
            #expect(rejection.header("retry-after").flatMap(Int.init).map { $0 >= 1 } == true)
            #expect(rejection.header("ratelimit-policy")?.contains("per_client") == true)
            #expect(rejection.header("ratelimit") != nil)
            #expect(rejection.header("content-type") == "application/json")
            #expect(rejection.text.contains(#""error":"rate_limited""#))
            #expect(rejection.text.contains(#""limit":"client_rate""#))

            for index in 0..<3 {
                let other = try harness.get("/fn/y", headers: ["X-Api-Key": "polite-\(index % 2)"])
                #expect(other.status == 200)
                #expect(other.header("ratelimit") != nil)
            }
            #expect(upstream.requests.count == admitted + 3)
        }

        @Test("limits run before the rules: a refused attack is not evaluated")
        func limitsBeforeRules() throws {
            let upstream = try okUpstream()
            defer { upstream.stop() }
            let harness = try GatewayHarness(
                yaml: """
                    functions:
                      - name: echo
                        route: /fn
                        upstream: "http://127.0.0.1:\(upstream.port)"
                    rules:
                      profile: embedded
                    limits:
                      per_client: {rate_per_second: 0.5, burst: 1}
                    """)
            defer { harness.stop() }
            #expect(try harness.get("/fn/ok").status == 200)
            #expect(try harness.get("/fn/?q=1'%20OR%20'1'='1").status == 429)
            let exposition = try harness.scrape().exposition
            #expect(exposition.value("tollgate_rule_matches_total", ["rule_id": "4750420"]) == 0)
            #expect(harness.auditLog.lines.isEmpty)
        }

        @Test("the concurrency permit is released when the client aborts mid-exchange")
        func concurrencyReleasedOnClientAbort() throws {
            let upstream = try okUpstream(delayFor: "/fn/slow", delayMicroseconds: 800_000)
            defer { upstream.stop() }
            let harness = try GatewayHarness(
                yaml: """
                    functions:
                      - name: echo
                        route: /fn
                        upstream: "http://127.0.0.1:\(upstream.port)"
                    limits:
                      per_function: {max_concurrent: 1}
                    """, workers: 1)
            defer { harness.stop() }

            let slow = try harness.connect()
            slow.write("GET /fn/slow HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(ProxyHarness.eventually { upstream.requests.count == 1 })
            // The one permit is held: another request is refused.
            let refused = try harness.get("/fn/fast")
            #expect(refused.status == 429)
            #expect(refused.text.contains(#""limit":"function_concurrency""#))
            // The client leaves before the answer: its permit comes back.
            slow.reset()
            #expect(ProxyHarness.eventually(timeout: 3) { (try? harness.get("/fn/fast").status) == 200 })
        }

        @Test("the permit is released after success, upstream error and timeout")
        func permitReleasedOnEveryExit() throws {
            let upstream = try okUpstream(delayFor: "/fn/slow", delayMicroseconds: 1_500_000)
            defer { upstream.stop() }
            let down = try closedPort()
            let harness = try GatewayHarness(
                yaml: """
                    functions:
                      - name: echo
                        route: /fn
                        upstream: "http://127.0.0.1:\(upstream.port)"
                        timeout_ms: 300
                      - name: down
                        route: /down
                        upstream: "http://127.0.0.1:\(down)"
                    limits:
                      per_function: {max_concurrent: 1}
                    """, workers: 1)
            defer { harness.stop() }
            for _ in 0..<3 { #expect(try harness.get("/fn/ok").status == 200) }
            #expect(try harness.get("/fn/slow").status == 504)
            #expect(try harness.get("/fn/ok").status == 200)
            for _ in 0..<3 { #expect(try harness.get("/down/x").status == 502) }
            #expect(try harness.get("/down/x").status == 502)
        }

        @Test("shadow mode forwards everything and counts what it would have refused")
        func shadowMode() throws {
            let upstream = try okUpstream()
            defer { upstream.stop() }
            let harness = try GatewayHarness(
                yaml: """
                    functions:
                      - name: echo
                        route: /fn
                        upstream: "http://127.0.0.1:\(upstream.port)"
                    limits:
                      mode: shadow
                      per_client: {rate_per_second: 1, burst: 1}
                    """)
            defer { harness.stop() }
            for _ in 0..<4 { #expect(try harness.get("/fn/x").status == 200) }
            let exposition = try harness.scrape().exposition
            let shadow = exposition.value(
                "tollgate_limiter_decisions_total", ["limit_kind": "client_rate", "decision": "shadow_limited"])
            #expect((shadow ?? 0) >= 2)
        }

        @Test("an expensive slow function exhausts its money budget before a cheap fast one at the same request rate")
        func expensiveFunctionSpendsItsBudgetFirst() throws {
            // Same budget and same request rate; the expensive function runs 3008 MB for ~150 ms
            // (~$0.0000076 per call), the cheap one 128 MB for ~1 ms (~$0.0000002 per call).
            let slow = try okUpstream(delayFor: "/", delayMicroseconds: 150_000)
            defer { slow.stop() }
            let fast = try okUpstream()
            defer { fast.stop() }
            let harness = try GatewayHarness(
                yaml: """
                    functions:
                      - name: expensive
                        route: /expensive
                        upstream: "http://127.0.0.1:\(slow.port)"
                        memory_mb: 3008
                        timeout_ms: 1000
                      - name: cheap
                        route: /cheap
                        upstream: "http://127.0.0.1:\(fast.port)"
                        memory_mb: 128
                        timeout_ms: 1000
                    limits:
                      cost_estimate: average
                      per_function:
                        budget: {usd: 0.00006, window_seconds: 3600}
                    """, workers: 1)
            defer { harness.stop() }
            var expensiveAdmitted = 0
            var expensiveRefusal: Int?
            var cheapRefused = 0
            for round in 0..<14 {
                let expensive = try harness.get("/expensive/run")
                if expensive.status == 200 {
                    expensiveAdmitted += 1
                } else {
                    #expect(expensive.status == 429)
                    expensiveRefusal = expensiveRefusal ?? round
                }
                if try harness.get("/cheap/run").status != 200 { cheapRefused += 1 }
            }
            // The first call reserves the worst case (its 1 s timeout, ~$0.000049); once settled, the moving
            // average (~$0.0000078) is reserved: $0.00006 buys about seven expensive calls and ~300 cheap ones.
            #expect(expensiveRefusal != nil)
            #expect(expensiveAdmitted >= 3 && expensiveAdmitted <= 10)
            #expect(cheapRefused == 0)
            #expect(slow.requests.count == expensiveAdmitted)
            #expect(fast.requests.count == 14)
            let exposition = try harness.scrape().exposition
            #expect(
                exposition.value(
                    "tollgate_requests_total",
                    ["function": "expensive", "action": "budget_exceeded", "status_class": "4xx"])
                    == Double(14 - expensiveAdmitted))
        }

        @Test("a spent budget with degrade_to forwards to the cheaper upstream instead of refusing")
        func budgetDegrades() throws {
            let main = try okUpstream()
            defer { main.stop() }
            let cheap = try okUpstream()
            defer { cheap.stop() }
            let harness = try GatewayHarness(
                yaml: """
                    functions:
                      - name: expensive
                        route: /fn
                        upstream: "http://127.0.0.1:\(main.port)/main"
                        memory_mb: 1024
                        timeout_ms: 2000
                    limits:
                      per_function:
                        budget: {usd: 0.0000005, window_seconds: 3600, degrade_to: "http://127.0.0.1:\(cheap.port)/cheap"}
                    """, workers: 1)
            defer { harness.stop() }
            for _ in 0..<5 { #expect(try harness.get("/fn/work").status == 200) }
            #expect(main.requests.count + cheap.requests.count == 5)
            #expect(cheap.requests.count >= 1)
            #expect(cheap.requests.allSatisfy { $0.target == "/cheap/fn/work" })
            #expect(main.requests.allSatisfy { $0.target == "/main/fn/work" })
            let exposition = try harness.scrape().exposition
            let degraded = exposition.value(
                "tollgate_limiter_decisions_total", ["limit_kind": "function_budget", "decision": "degraded"])
            #expect(degraded == Double(cheap.requests.count))
            #expect(
                exposition.value(
                    "tollgate_requests_total", ["function": "expensive", "action": "allowed", "status_class": "2xx"])
                    == 5)
        }

        @Test(
            "two tollgate instances sharing one redis-server enforce one global per-client limit",
            .enabled(if: redisServerAvailable, "redis-server is not installed"))
        func twoInstancesShareOneLimit() throws {
            let redis = try RedisServerProcess()
            defer { redis.kill() }
            let upstream = try okUpstream()
            defer { upstream.stop() }
            let yaml = """
                functions:
                  - name: echo
                    route: /fn
                    upstream: "http://127.0.0.1:\(upstream.port)"
                limits:
                  store: "redis://127.0.0.1:\(redis.port)"
                  store_timeout_ms: 1000
                  client_key: "header:X-Api-Key"
                  per_client: {rate_per_second: 1, burst: 4}
                """
            let first = try GatewayHarness(yaml: yaml, workers: 1)
            defer { first.stop() }
            let second = try GatewayHarness(yaml: yaml, workers: 1)
            defer { second.stop() }
            // Wait (bounded) until each instance decides through the store, with throwaway keys.
            for harness in [first, second] {
                #expect(
                    ProxyHarness.eventually(timeout: 5) {
                        _ = try? harness.get("/fn/warm", headers: ["X-Api-Key": "probe-\(UUID())"])
                        return (harness.gateway.proxy.limitStoreCounters?.storeDecisions.load(ordering: .relaxed) ?? 0)
                            > 0
                    })
            }
            let start = Date()
            var admitted = 0
            for index in 0..<12 {
                let harness = index % 2 == 0 ? first : second
                if try harness.get("/fn/x", headers: ["X-Api-Key": "shared-client"]).status == 200 { admitted += 1 }
            }
            let elapsed = Date().timeIntervalSince(start)
            // One global limit: burst 4 plus the 1/s refill (each instance alone would admit 4 more).
            #expect(admitted >= 4)
            #expect(Double(admitted) <= 4 + elapsed.rounded(.up))

            // A request with a body waits for the store's answer (read ahead meanwhile), then goes on whole.
            let body = String(repeating: "0123456789", count: 3000)
            let posted = try first.send(
                "POST /fn/upload HTTP/1.1\r\nHost: t\r\nX-Api-Key: uploader\r\nContent-Length: \(body.utf8.count)\r\n"
                    + "Connection: close\r\n\r\n\(body)")
            #expect(posted.status == 200)
            #expect(upstream.requests.last.map { String(decoding: $0.body, as: UTF8.self) } == body)
        }

        @Test("a Redis store that is down with store_failure: closed answers 503 with Retry-After")
        func storeFailClosed() throws {
            let upstream = try okUpstream()
            defer { upstream.stop() }
            let redis = try closedPort()
            let harness = try GatewayHarness(
                yaml: """
                    functions:
                      - name: echo
                        route: /fn
                        upstream: "http://127.0.0.1:\(upstream.port)"
                    limits:
                      store: "redis://127.0.0.1:\(redis)"
                      store_failure: closed
                      store_timeout_ms: 200
                      per_client: {rate_per_second: 100, burst: 100}
                    """, workers: 1)
            defer { harness.stop() }
            let response = try harness.get("/fn/x")
            #expect(response.status == 503)
            #expect(response.header("retry-after") != nil)
            #expect(response.text.contains(#""error":"store_unavailable""#))
            #expect(upstream.requests.isEmpty)
        }

        @Test("a Redis store that is down with store_failure: open falls back to local limits")
        func storeFailOpen() throws {
            let upstream = try okUpstream()
            defer { upstream.stop() }
            let redis = try closedPort()
            let harness = try GatewayHarness(
                yaml: """
                    functions:
                      - name: echo
                        route: /fn
                        upstream: "http://127.0.0.1:\(upstream.port)"
                    limits:
                      store: "redis://127.0.0.1:\(redis)"
                      store_failure: open
                      store_timeout_ms: 200
                      per_client: {rate_per_second: 1, burst: 2}
                    """, workers: 1)
            defer { harness.stop() }
            let statuses = try (0..<4).map { _ in try harness.get("/fn/x").status }
            #expect(statuses.filter { $0 == 200 }.count == 2)
            #expect(statuses.filter { $0 == 429 }.count == 2)
            let exposition = try harness.scrape().exposition
            #expect(exposition.value("tollgate_store_failing_open") == 1)
        }
    }
}
