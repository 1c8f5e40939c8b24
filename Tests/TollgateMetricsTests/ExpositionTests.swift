import Testing
import TollgateTestSupport

@testable import TollgateMetrics

@Suite("Exposition of a known sequence of recordings")
struct ExpositionTests {
    let exposition: Exposition
    let text: String

    init() throws {
        text = Scenario.run().exposition()
        exposition = try Exposition(text)
    }

    @Test("every catalogued family is exported with its type and help, and nothing else")
    func everyFamilyPresent() {
        for definition in MetricCatalogue.all {
            #expect(exposition.types[definition.name] == definition.type.rawValue, "\(definition.name)")
            #expect(exposition.helps[definition.name] == definition.help, "\(definition.name)")
        }
        #expect(Set(exposition.types.keys) == Set(MetricCatalogue.all.map(\.name)))
        #expect(Set(MetricCatalogue.all.map(\.name)).count == MetricCatalogue.all.count)
        #expect(MetricCatalogue.all.allSatisfy { $0.name.hasPrefix("tollgate_") })
    }

    @Test("every sample carries exactly its family's labels (plus le on buckets)")
    func labelNames() throws {
        for sample in exposition.samples {
            let family = try #require(exposition.family(of: sample.name))
            let definition = try #require(MetricCatalogue.all.first { $0.name == family })
            var expected = Set(definition.labels)
            if sample.name.hasSuffix("_bucket") { expected.insert("le") }
            #expect(Set(sample.labels.keys) == expected, "\(sample.name) \(sample.labels)")
        }
    }

    @Test("requests by function, action and status class")
    func requests() {
        let name = "tollgate_requests_total"
        func value(_ function: String, _ action: String, _ statusClass: String) -> Double? {
            exposition.value(name, ["function": function, "action": action, "status_class": statusClass])
        }
        #expect(value("checkout", "allowed", "2xx") == 3)
        #expect(value("checkout", "allowed", "none") == 1)
        #expect(value("checkout", "blocked", "4xx") == 1)
        #expect(value("search", "rate_limited", "4xx") == 1)
        #expect(value("search", "budget_exceeded", "4xx") == 1)
        #expect(value("other", "error", "5xx") == 1)
        #expect(value("other", "error", "none") == 1)
        #expect(value("checkout", "allowed", "5xx") == 0)
        // 3 functions (checkout, search, other) x 5 actions x 6 status classes, all pre-created.
        #expect(exposition.samples(named: name).count == 3 * 5 * 6)
        #expect(exposition.samples(named: name).reduce(0) { $0 + $1.value } == 9)
    }

    @Test("upstream latency histogram buckets, sum and count")
    func upstreamLatency() {
        let name = "tollgate_upstream_latency_seconds"
        let checkout = ["function": "checkout"]
        func bucket(_ le: String, _ labels: [String: String]) -> Double? {
            exposition.value(name + "_bucket", labels.merging(["le": le]) { $1 })
        }
        #expect(bucket("0.01", checkout) == 0)
        #expect(bucket("0.025", checkout) == 3)
        #expect(bucket("1.0", checkout) == 3)
        #expect(bucket("2.5", checkout) == 4)
        #expect(bucket("30.0", checkout) == 4)
        #expect(bucket("+Inf", checkout) == 4)
        #expect(exposition.value(name + "_count", checkout) == 4)
        #expect(abs((exposition.value(name + "_sum", checkout) ?? 0) - 2.06) < 1e-9)
        // 31 s lands only in +Inf; NaN is not recorded at all.
        #expect(bucket("30.0", ["function": "other"]) == 0)
        #expect(bucket("+Inf", ["function": "other"]) == 1)
        #expect(exposition.value(name + "_count", ["function": "search"]) == 0)
        // Bucket boundaries are exactly the catalogue's.
        let les = exposition.samples(named: name + "_bucket").filter { $0.labels["function"] == "checkout" }
            .compactMap { $0.labels["le"] }
        #expect(les == MetricCatalogue.secondsBuckets.map { "\($0)" } + ["+Inf"])
    }

    @Test("proxy-added latency histogram")
    func proxyLatency() {
        let name = "tollgate_proxy_added_latency_seconds"
        let checkout = ["function": "checkout"]
        #expect(exposition.value(name + "_bucket", checkout.merging(["le": "0.0001"]) { $1 }) == 0)
        #expect(exposition.value(name + "_bucket", checkout.merging(["le": "0.00025"]) { $1 }) == 1)
        #expect(exposition.value(name + "_bucket", checkout.merging(["le": "0.0005"]) { $1 }) == 5)
        #expect(exposition.value(name + "_count", checkout) == 5)
        #expect(exposition.value(name + "_bucket", ["function": "search", "le": "0.0001"]) == 2)
        // The infinite proxy time was dropped, the 1 ms one kept.
        #expect(exposition.value(name + "_count", ["function": "other"]) == 1)
    }

    @Test("anomaly score histogram")
    func anomalyScore() {
        let name = "tollgate_anomaly_score"
        func bucket(_ le: String) -> Double? {
            exposition.value(name + "_bucket", ["function": "checkout", "le": le])
        }
        #expect(bucket("0.0") == 1)
        #expect(bucket("3.0") == 1)
        #expect(bucket("5.0") == 2)
        #expect(bucket("10.0") == 3)
        #expect(bucket("50.0") == 3)
        #expect(bucket("+Inf") == 4)
        #expect(exposition.value(name + "_sum", ["function": "checkout"]) == 75)
    }

    @Test("rule matches by id and category, unknown ones as other")
    func ruleMatches() {
        let name = "tollgate_rule_matches_total"
        #expect(exposition.value(name, ["rule_id": "942100"]) == 2)
        #expect(exposition.value(name, ["rule_id": "941100"]) == 1)
        #expect(exposition.value(name, ["rule_id": "920350"]) == 1)
        #expect(exposition.value(name, ["rule_id": "other"]) == 1)
        #expect(exposition.value(name, ["rule_id": "123"]) == nil)
        #expect(exposition.samples(named: name).count == 4)
        let categories = "tollgate_anomaly_category_matches_total"
        #expect(exposition.value(categories, ["category": "sqli"]) == 2)
        #expect(exposition.value(categories, ["category": "xss"]) == 1)
        #expect(exposition.value(categories, ["category": "other"]) == 1)
        #expect(exposition.value(categories, ["category": "made-up"]) == nil)
        #expect(exposition.samples(named: categories).count == MetricCatalogue.defaultCategories.count + 1)
        #expect(exposition.value("tollgate_ruleset_rules") == 3)
    }

    @Test("limiter decisions")
    func limiter() {
        let name = "tollgate_limiter_decisions_total"
        #expect(exposition.value(name, ["limit_kind": "client_rate", "decision": "admitted"]) == 4)
        #expect(exposition.value(name, ["limit_kind": "client_rate", "decision": "limited"]) == 1)
        #expect(exposition.value(name, ["limit_kind": "function_budget", "decision": "degraded"]) == 1)
        #expect(exposition.value(name, ["limit_kind": "function_rate", "decision": "limited"]) == 0)
        #expect(exposition.samples(named: name).count == LimitKind.allCases.count * LimitDecision.allCases.count)
    }

    @Test("money and GB-seconds spent, reserved, remaining")
    func cost() {
        let checkout = ["function": "checkout"]
        let search = ["function": "search"]
        #expect(exposition.value("tollgate_function_spent_usd_total", checkout) == 0.25)
        #expect(exposition.value("tollgate_function_spent_gigabyte_seconds_total", checkout) == 1.5)
        #expect(exposition.value("tollgate_function_reserved_usd", checkout) == 0.125)
        #expect(exposition.value("tollgate_function_reserved_gigabyte_seconds", checkout) == 0.5)
        #expect(exposition.value("tollgate_function_budget_remaining_usd", checkout) == 9.75)
        #expect(exposition.value("tollgate_function_budget_remaining_gigabyte_seconds", checkout) == 100.5)
        #expect(exposition.value("tollgate_function_budget_limit_usd", checkout) == 10)
        #expect(exposition.value("tollgate_function_budget_limit_gigabyte_seconds", checkout) == 200)
        #expect(exposition.value("tollgate_function_budget_limit_usd", search) == 0)
        #expect(exposition.value("tollgate_function_spent_usd_total", search) == 0)
        #expect(exposition.value("tollgate_function_spent_gigabyte_seconds_total", search) == 0)
    }

    @Test("connections, upstream errors, parser rejections, engine errors")
    func errorsAndConnections() {
        #expect(exposition.value("tollgate_open_connections", ["side": "client"]) == 2)
        #expect(exposition.value("tollgate_open_connections", ["side": "upstream"]) == 1)
        let upstream = "tollgate_upstream_errors_total"
        #expect(exposition.value(upstream, ["function": "checkout", "kind": "timeout"]) == 2)
        #expect(exposition.value(upstream, ["function": "search", "kind": "connect"]) == 1)
        #expect(exposition.value(upstream, ["function": "search", "kind": "reset"]) == 0)
        #expect(exposition.value(upstream, ["function": "other", "kind": "protocol"]) == 0)
        let parser = "tollgate_parser_rejections_total"
        #expect(exposition.value(parser, ["reason": "bareLF"]) == 2)
        #expect(exposition.value(parser, ["reason": "other"]) == 1)
        #expect(exposition.value(parser, ["reason": "obsFold"]) == 0)
        #expect(exposition.samples(named: parser).count == MetricCatalogue.defaultParserReasons.count + 1)
        #expect(exposition.value("tollgate_rule_engine_errors_total", ["kind": "match_limit"]) == 1)
        #expect(exposition.value("tollgate_rule_engine_errors_total", ["kind": "depth_limit"]) == 0)
    }

    @Test("reloads, store errors, fail-open time, build info")
    func reloadsStoreBuild() {
        let reloads = "tollgate_reloads_total"
        #expect(exposition.value(reloads, ["kind": "config", "result": "success"]) == 1)
        #expect(exposition.value(reloads, ["kind": "config", "result": "failure"]) == 0)
        #expect(exposition.value(reloads, ["kind": "ruleset", "result": "failure"]) == 1)
        #expect(exposition.value("tollgate_last_reload_successful", ["kind": "config"]) == 1)
        #expect(exposition.value("tollgate_last_reload_successful", ["kind": "ruleset"]) == 0)
        #expect(exposition.value("tollgate_store_errors_total", ["kind": "timeout"]) == 1)
        #expect(exposition.value("tollgate_store_errors_total", ["kind": "script"]) == 0)
        #expect(exposition.value("tollgate_store_fail_open_seconds_total") == 1.5)
        #expect(exposition.value("tollgate_store_failing_open") == 1)
        #expect(exposition.value("tollgate_build_info", ["version": "1.2.3", "revision": "abc123"]) == 1)
    }

    @Test("render(into:) appends exactly the exposition bytes")
    func renderIntoBuffer() throws {
        let metrics = TollgateMetrics(version: "t")
        var buffer: [UInt8] = Array("prefix\n".utf8)
        metrics.render(into: &buffer)
        #expect(buffer.starts(with: Array("prefix\n".utf8)))
        let rendered = String(decoding: buffer.dropFirst(7), as: UTF8.self)
        #expect(try Exposition(rendered).samples.count == Exposition(metrics.exposition()).samples.count)
        #expect(rendered.hasSuffix("\n"))
        #expect(TollgateMetrics.contentType == "text/plain; version=0.0.4; charset=utf-8")
    }
}
