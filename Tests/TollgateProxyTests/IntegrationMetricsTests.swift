import Foundation
import Testing
import TollgateConfig
import TollgateMetrics
import TollgateTestSupport

@testable import TollgateProxy

extension GatewayIntegration {
    /// After a known sequence of requests, `/metrics` scraped over loopback has exact values, and the whole
    /// exposition parses (our strict parser, and promtool / prometheus_client when installed).
    @Suite(.serialized) struct IntegrationMetricsTests {
        @Test("allowed, blocked by rule 4750420, rate-limited, upstream down, parser rejection: exact counters")
        func knownSequence() throws {
            let upstream = try okUpstream()
            defer { upstream.stop() }
            let down = try closedPort()
            let harness = try GatewayHarness(
                yaml: """
                    functions:
                      - name: echo
                        route: /fn
                        upstream: "http://127.0.0.1:\(upstream.port)"
                      - name: limited
                        route: /limited
                        upstream: "http://127.0.0.1:\(upstream.port)"
                      - name: down
                        route: /down
                        upstream: "http://127.0.0.1:\(down)"
                    rules:
                      mode: block
                      profile: embedded
                    limits:
                      functions:
                        limited:
                          per_client: {rate_per_second: 1, burst: 1}
                    """)
            defer { harness.stop() }

            #expect(try harness.get("/fn/hello?name=world").status == 200)
            #expect(try harness.get("/fn/search?q=1'%20OR%20'1'='1").status == 403)
            #expect(try harness.get("/limited/a").status == 200)
            let limited = try harness.get("/limited/b")
            #expect(limited.status == 429)
            #expect(try harness.get("/down/x").status == 502)
            let rejected = try harness.send("GET /fn/x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
            #expect(rejected.status == 400)
            #expect(ProxyHarness.eventually { harness.accessLog.lines.count == 6 })

            let (text, exposition) = try harness.scrape()
            func requests(_ function: String, _ action: String, _ statusClass: String) -> Double? {
                exposition.value(
                    "tollgate_requests_total", ["function": function, "action": action, "status_class": statusClass])
            }
            #expect(requests("echo", "allowed", "2xx") == 1)
            #expect(requests("echo", "blocked", "4xx") == 1)
            #expect(requests("limited", "allowed", "2xx") == 1)
            #expect(requests("limited", "rate_limited", "4xx") == 1)
            #expect(requests("down", "error", "5xx") == 1)
            #expect(requests("other", "error", "4xx") == 1)
            let allRequests = exposition.samples(named: "tollgate_requests_total").map(\.value).reduce(0, +)
            #expect(allRequests == 6)

            #expect(exposition.value("tollgate_rule_matches_total", ["rule_id": "4750420"]) == 1)
            #expect(exposition.value("tollgate_rule_matches_total", ["rule_id": "4759920"]) == 1)
            #expect(exposition.value("tollgate_anomaly_category_matches_total", ["category": "sqli"]) == 1)
            #expect(exposition.value("tollgate_anomaly_score_count", ["function": "echo"]) == 2)
            #expect(exposition.value("tollgate_anomaly_score_sum", ["function": "echo"]) == 5)
            #expect(exposition.value("tollgate_upstream_errors_total", ["function": "down", "kind": "connect"]) == 1)
            #expect(exposition.value("tollgate_parser_rejections_total", ["reason": "multipleHost"]) == 1)
            #expect(
                exposition.value(
                    "tollgate_limiter_decisions_total", ["limit_kind": "client_rate", "decision": "limited"])
                    == 1)
            #expect(
                exposition.value(
                    "tollgate_limiter_decisions_total", ["limit_kind": "client_rate", "decision": "admitted"])
                    == 1)
            #expect(exposition.value("tollgate_upstream_latency_seconds_count", ["function": "echo"]) == 1)
            #expect(exposition.value("tollgate_upstream_latency_seconds_count", ["function": "limited"]) == 1)
            #expect(exposition.value("tollgate_proxy_added_latency_seconds_count", ["function": "echo"]) == 2)
            #expect(exposition.value("tollgate_ruleset_rules") == Double(harness.gateway.ruleCount))
            #expect(exposition.value("tollgate_build_info", ["version": "test", "revision": "abc123"]) == 1)
            // The proxy may still be closing the last `Connection: close` exchange when the access line is
            // written: the gauge reaches 0 once it has (a leak would keep it above).
            #expect(
                ProxyHarness.eventually {
                    (try? harness.scrape().exposition.value("tollgate_open_connections", ["side": "client"])) == 0
                })
            #expect(exposition.value("tollgate_rule_engine_errors_total", ["kind": "match_limit"]) == 0)
            // Bounded labels: no client address anywhere in the exposition.
            #expect(!text.contains("127.0.0.1"))

            // One access line per request; the blocked one names the rule, none carries the query.
            let access = harness.accessLog.lines
            #expect(access.count == 6)
            #expect(access.contains { $0.contains(#""action":"blocked""#) && $0.contains("4750420") })
            #expect(access.contains { $0.contains(#""action":"rate_limited""#) && $0.contains(#""status":429"#) })
            #expect(!access.joined().contains("OR"))
            #expect(access.allSatisfy { !$0.contains(#""bytes_out":0,"#) && !$0.contains(#""bytes_out":0}"#) })
            for line in access {
                #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not JSON: \(line)")
            }

            if let promtool = ExternalTools.promtool {
                let result = try ExternalTools.run(promtool, ["check", "metrics"], input: text)
                #expect(result.status == 0, "promtool: \(result.stdout) \(result.stderr)")
            }
            if ExternalTools.hasPrometheusClient, let python3 = ExternalTools.python3 {
                let script =
                    "import sys\nfrom prometheus_client.parser import text_string_to_metric_families as p\n"
                    + "print(sum(1 for _ in p(sys.stdin.read())))"
                let result = try ExternalTools.run(python3, ["-c", script], input: text)
                #expect(result.status == 0, "prometheus_client: \(result.stderr)")
            }
        }

        @Test("a malformed chunked body counts as a parser rejection of its function's request")
        func chunkedRejection() throws {
            let upstream = try okUpstream()
            defer { upstream.stop() }
            let harness = try GatewayHarness(
                yaml: """
                    functions:
                      - name: echo
                        route: /fn
                        upstream: "http://127.0.0.1:\(upstream.port)"
                    """)
            defer { harness.stop() }
            let response = try harness.send(
                "POST /fn/x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n")
            #expect(response.status == 400)
            #expect(ProxyHarness.eventually { harness.accessLog.lines.count == 1 })
            let exposition = try harness.scrape().exposition
            #expect(exposition.value("tollgate_parser_rejections_total", ["reason": "invalidChunkSize"]) == 1)
            #expect(
                exposition.value(
                    "tollgate_requests_total", ["function": "echo", "action": "error", "status_class": "4xx"])
                    == 1)
        }

        @Test("open connection gauges follow a keep-alive connection")
        func connectionGauges() throws {
            let upstream = try okUpstream()
            defer { upstream.stop() }
            let harness = try GatewayHarness(
                yaml: """
                    functions:
                      - name: echo
                        route: /fn
                        upstream: "http://127.0.0.1:\(upstream.port)"
                    """)
            defer { harness.stop() }
            let socket = try harness.connect()
            socket.write("GET /fn/a HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try socket.readResponse().status == 200)
            let open = try harness.scrape().exposition
            #expect(open.value("tollgate_open_connections", ["side": "client"]) == 1)
            #expect(open.value("tollgate_open_connections", ["side": "upstream"]) == 1)
            socket.close()
            #expect(
                ProxyHarness.eventually {
                    (try? harness.scrape().exposition.value("tollgate_open_connections", ["side": "client"])) == 0
                })
        }
    }

    /// `logging:` destinations.
    @Suite struct IntegrationLoggingTests {
        @Test("logging.access_log: PATH appends one JSON line per request; a missing directory is a config error")
        func accessLogFile() throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-log-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("access.log").path
            let configuration = try GatewayHarness.configuration(
                """
                functions:
                  - name: echo
                    route: /fn
                    upstream: "http://127.0.0.1:9"
                logging:
                  access_log: "\(path)"
                  audit_log: "off"
                """)
            #expect(configuration.logging.accessLog == .file(path))
            #expect(configuration.logging.auditLog == .off)
            let sink = try #require(try LogSinks.make(configuration.logging.accessLog))
            sink.write(Array("{\"a\":1}\n".utf8))
            sink.write(Array("{\"a\":2}\n".utf8))
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"a\":1}\n{\"a\":2}\n")
            #expect(try LogSinks.make(.off) == nil)

            #expect(throws: (any Error).self) {
                _ = try GatewayHarness.configuration(
                    """
                    functions: []
                    logging: {access_log: "/nonexistent-dir-\(UUID())/a.log"}
                    """)
            }
            #expect(throws: (any Error).self) {
                _ = try GatewayHarness.configuration("functions: []\nlogging: {acces_log: stderr}\n")
            }
        }
    }
}
