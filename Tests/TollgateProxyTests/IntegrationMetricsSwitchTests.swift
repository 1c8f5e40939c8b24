import Foundation
import Testing
import TollgateMetrics
import TollgateTestSupport

@testable import TollgateProxy

extension GatewayIntegration {
    /// `metrics: {enabled: ...}` over loopback: the same requests with metrics on and off.
    @Suite(.serialized) struct IntegrationMetricsSwitchTests {
        @Test(
            "metrics on records the sequence; off records nothing, /metrics is 404, health and logs stay",
            arguments: [true, false])
        func sequence(enabled: Bool) throws {
            let upstream = try okUpstream()
            defer { upstream.stop() }
            let harness = try GatewayHarness(
                yaml: """
                    functions:
                      - name: echo
                        route: /fn
                        upstream: "http://127.0.0.1:\(upstream.port)"
                    rules:
                      mode: block
                      profile: embedded
                    limits:
                      per_client: {rate_per_second: 1000, burst: 1000}
                    metrics:
                      enabled: \(enabled)
                    """)
            defer { harness.stop() }
            #expect(harness.gateway.metricsEnabled == enabled)
            #expect(try harness.get("/fn/hello?name=world").status == 200)
            #expect(try harness.get("/fn/search?q=1'%20OR%20'1'='1").status == 403)
            #expect(try harness.send("GET /fn/x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").status == 400)
            // Access and audit logs do not depend on the switch.
            #expect(ProxyHarness.eventually { harness.accessLog.lines.count == 3 })
            #expect(harness.auditLog.lines.contains { $0.contains("4750420") })
            #expect(try harness.admin("/healthz").status == 200)
            #expect(try harness.admin("/readyz").status == 200)

            // What the registry holds, whether or not it is served.
            let registry = try Exposition(harness.metrics.exposition())
            func total(_ name: String) -> Double { registry.samples(named: name).map(\.value).reduce(0, +) }
            if enabled {
                let (_, scraped) = try harness.scrape()
                #expect(
                    scraped.value(
                        "tollgate_requests_total", ["function": "echo", "action": "allowed", "status_class": "2xx"])
                        == 1)
                #expect(total("tollgate_requests_total") == 3)
                #expect(total("tollgate_parser_rejections_total") == 1)
                #expect(registry.value("tollgate_rule_matches_total", ["rule_id": "4750420"]) == 1)
                #expect(total("tollgate_limiter_decisions_total") == 2)
                #expect(total("tollgate_upstream_latency_seconds_count") == 1)
            } else {
                let scrape = try harness.admin("/metrics")
                #expect(scrape.status == 404)
                #expect(scrape.text == #"{"error":"metrics_disabled"}"#)
                for name in [
                    "tollgate_requests_total", "tollgate_parser_rejections_total", "tollgate_rule_matches_total",
                    "tollgate_anomaly_category_matches_total", "tollgate_limiter_decisions_total",
                    "tollgate_upstream_latency_seconds_count", "tollgate_proxy_added_latency_seconds_count",
                    "tollgate_anomaly_score_count", "tollgate_function_spent_gigabyte_seconds_total",
                ] {
                    #expect(total(name) == 0, "\(name) recorded with metrics off")
                }
                // No connection was ever counted (a gauge that only moved up and down would read 0 too; the
                // request counters above show nothing was recorded at all).
                #expect(total("tollgate_open_connections") == 0)
            }
        }

        @Test("a reload cannot switch metrics: the switch read at start-up stays")
        func reloadKeepsTheSwitch() throws {
            let upstream = try okUpstream()
            defer { upstream.stop() }
            let functions = """
                functions:
                  - name: echo
                    route: /fn
                    upstream: "http://127.0.0.1:\(upstream.port)"
                """
            let harness = try GatewayHarness(yaml: functions + "\nmetrics: {enabled: false}\n")
            defer { harness.stop() }
            try harness.reload(functions + "\nmetrics: {enabled: true}\n")
            #expect(!harness.gateway.metricsEnabled)
            #expect(try harness.get("/fn/a").status == 200)
            #expect(try harness.admin("/metrics").status == 404)
            let recorded = try Exposition(harness.metrics.exposition()).samples(named: "tollgate_requests_total")
            #expect(recorded.map(\.value).reduce(0, +) == 0)
        }
    }
}
