import Testing
import TollgateTestSupport

@testable import TollgateMetrics

@Suite struct MetricsSwitchAndRevisionTests {
    @Test("without a registry /metrics answers 404 metrics_disabled; health endpoints stay")
    func disabledEndpoints() {
        let health = HealthState()
        health.setConfigLoaded(true)
        health.setRulesLoaded(true)
        health.setPoolsUsable(true)
        let admin = AdminEndpoints(metrics: nil, health: health, bearerToken: "0123456789abcdef")
        let scrape = admin.respond(method: "GET", target: "/metrics", authorization: nil)
        #expect(scrape.status == 404)
        #expect(String(decoding: scrape.body, as: UTF8.self) == #"{"error":"metrics_disabled"}"#)
        #expect(
            admin.respond(method: "GET", target: "/metrics", authorization: "Bearer 0123456789abcdef").status == 404)
        #expect(admin.respond(method: "GET", target: "/healthz", authorization: nil).status == 200)
        #expect(admin.respond(method: "GET", target: "/readyz", authorization: nil).status == 200)
        // With a registry the same endpoints serve the exposition.
        let enabled = AdminEndpoints(metrics: TollgateMetrics(version: "1"), health: health)
        #expect(enabled.respond(method: "GET", target: "/metrics", authorization: nil).status == 200)
    }

    @Test(
        "TOLLGATE_REVISION becomes the revision label when it is a bounded token",
        arguments: [
            (["TOLLGATE_REVISION": "9ad967b"], "9ad967b"),
            (["TOLLGATE_REVISION": "v0.1.0-12-g9ad967b.dirty+ci_3"], "v0.1.0-12-g9ad967b.dirty+ci_3"),
            ([:], "unknown"),
            (["TOLLGATE_REVISION": ""], "unknown"),
            (["TOLLGATE_REVISION": "abc def"], "unknown"),
            (["TOLLGATE_REVISION": "a\"b"], "unknown"),
            (["TOLLGATE_REVISION": "a\nb"], "unknown"),
            (["TOLLGATE_REVISION": String(repeating: "a", count: 65)], "unknown"),
            (["TOLLGATE_REVISION": String(repeating: "a", count: 64)], String(repeating: "a", count: 64)),
            (["OTHER": "9ad967b"], "unknown"),
        ])
    func revision(environment: [String: String], expected: String) throws {
        let revision = BuildRevision.from(environment: environment)
        #expect(revision == expected)
        let exposition = try Exposition(TollgateMetrics(version: "0.1.0", revision: revision).exposition())
        #expect(exposition.value("tollgate_build_info", ["version": "0.1.0", "revision": expected]) == 1)
        #expect(exposition.samples(named: "tollgate_build_info").count == 1)
    }
}
