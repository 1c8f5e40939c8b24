import Foundation
import Testing
import TollgateTestSupport

@testable import TollgateMetrics

@Suite("Health, readiness and admin endpoints")
struct HealthTests {
    static func json(_ response: AdminResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    @Test("readiness needs config, rules and pools, and fails while draining")
    func readiness() throws {
        let health = HealthState()
        #expect(health.healthz().status == 200)
        #expect(try Self.json(health.healthz())["status"] as? String == "alive")
        var response = health.readyz()
        #expect(response.status == 503)
        #expect(try Self.json(response)["status"] as? String == "not_ready")
        health.setConfigLoaded(true)
        health.setRulesLoaded(true)
        #expect(health.readyz().status == 503)
        health.setPoolsUsable(true)
        response = health.readyz()
        #expect(response.status == 200)
        let body = try Self.json(response)
        #expect(body["status"] as? String == "ready")
        let checks = try #require(body["checks"] as? [String: Bool])
        #expect(
            checks == [
                "alive": true, "config_loaded": true, "rules_loaded": true, "pools_usable": true, "draining": false,
            ])
        #expect(response.contentType == "application/json")
        health.setDraining(true)
        #expect(health.readyz().status == 503)
        #expect(health.healthz().status == 200)
        health.setAlive(false)
        #expect(health.healthz().status == 503)
        #expect(try Self.json(health.healthz())["status"] as? String == "dead")
    }

    @Test("routing: /metrics, /healthz, /readyz, 404, 405, HEAD, query ignored")
    func routing() throws {
        let metrics = TollgateMetrics(version: "1")
        let health = HealthState()
        let admin = AdminEndpoints(metrics: metrics, health: health)
        let scrape = admin.respond(method: "GET", target: "/metrics?x=1", authorization: nil)
        #expect(scrape.status == 200)
        #expect(scrape.contentType == TollgateMetrics.contentType)
        #expect(try Exposition(String(decoding: scrape.body, as: UTF8.self)).types.count == MetricCatalogue.all.count)
        #expect(admin.respond(method: "GET", target: "/healthz", authorization: nil).status == 200)
        #expect(admin.respond(method: "GET", target: "/readyz", authorization: nil).status == 503)
        #expect(admin.respond(method: "GET", target: "/nope", authorization: nil).status == 404)
        let post = admin.respond(method: "POST", target: "/metrics", authorization: nil)
        #expect(post.status == 405)
        #expect(post.headers.contains { $0.name == "Allow" && $0.value == "GET, HEAD" })
        let head = admin.respond(method: "HEAD", target: "/metrics", authorization: nil)
        #expect(head.status == 200 && head.body.isEmpty)
    }

    @Test("bearer token protects /metrics (and health only when asked)")
    func bearerToken() {
        let admin = AdminEndpoints(metrics: TollgateMetrics(version: "1"), health: HealthState(), bearerToken: "s3cret")
        #expect(admin.respond(method: "GET", target: "/metrics", authorization: nil).status == 401)
        #expect(admin.respond(method: "GET", target: "/metrics", authorization: "Bearer wrong!").status == 401)
        #expect(admin.respond(method: "GET", target: "/metrics", authorization: "Bearer s3cre").status == 401)
        #expect(admin.respond(method: "GET", target: "/metrics", authorization: "Bearer s3cret2").status == 401)
        #expect(admin.respond(method: "GET", target: "/metrics", authorization: "Basic s3cret").status == 401)
        #expect(admin.respond(method: "GET", target: "/metrics", authorization: "Bearer s3cret").status == 200)
        #expect(admin.respond(method: "GET", target: "/metrics", authorization: "bearer s3cret").status == 200)
        let denied = admin.respond(method: "GET", target: "/metrics", authorization: nil)
        #expect(denied.headers.contains { $0.name == "WWW-Authenticate" && $0.value == "Bearer" })
        #expect(admin.respond(method: "GET", target: "/healthz", authorization: nil).status == 200)
        let strict = AdminEndpoints(
            metrics: TollgateMetrics(version: "1"), health: HealthState(), bearerToken: "s3cret", protectHealth: true)
        #expect(strict.respond(method: "GET", target: "/healthz", authorization: nil).status == 401)
        #expect(strict.respond(method: "GET", target: "/healthz", authorization: "Bearer s3cret").status == 200)
        // An empty token means no token.
        let open = AdminEndpoints(metrics: TollgateMetrics(version: "1"), health: HealthState(), bearerToken: "")
        #expect(open.respond(method: "GET", target: "/metrics", authorization: nil).status == 200)
    }

    @Test(
        "constant-time comparison",
        arguments: [
            ("abc", "abc", true), ("abc", "abd", false), ("abc", "ab", false), ("", "", true), ("a", "", false),
        ])
    func constantTime(lhs: String, rhs: String, equal: Bool) {
        #expect(constantTimeEqual(Array(lhs.utf8), Array(rhs.utf8)) == equal)
    }
}
