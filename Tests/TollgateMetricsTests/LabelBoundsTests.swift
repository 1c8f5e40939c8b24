import Foundation
import Testing
import TollgateTestSupport

@testable import TollgateMetrics

@Suite("Label sets stay bounded")
struct LabelBoundsTests {
    /// The allowed values of each label, for a metrics instance configured with `functions` and `ruleIds`.
    static func allowedValues(functions: [String], ruleIds: [Int]) -> [String: Set<String>] {
        [
            "function": Set(functions + ["other"]),
            "action": Set(RequestAction.allCases.map(\.rawValue)),
            "status_class": Set(StatusClass.allCases.map(\.rawValue)),
            "rule_id": Set(ruleIds.map(String.init) + ["other"]),
            "category": Set(MetricCatalogue.defaultCategories + ["other"]),
            "limit_kind": Set(LimitKind.allCases.map(\.rawValue)),
            "decision": Set(LimitDecision.allCases.map(\.rawValue)),
            "reason": Set(MetricCatalogue.defaultParserReasons + ["other"]),
            "side": Set(ConnectionSide.allCases.map(\.rawValue)),
            "result": ["success", "failure"],
            "version": ["9.9.9"],
            "revision": ["r1"],
            "le": Set(
                (MetricCatalogue.secondsBuckets + MetricCatalogue.anomalyScoreBuckets).map { "\($0)" } + ["+Inf"]),
        ]
    }

    /// `kind` is shared by several families; each has its own closed set.
    static let kinds: [String: Set<String>] = [
        "tollgate_upstream_errors_total": Set(UpstreamErrorKind.allCases.map(\.rawValue)),
        "tollgate_rule_engine_errors_total": Set(RuleEngineErrorKind.allCases.map(\.rawValue)),
        "tollgate_reloads_total": Set(ReloadKind.allCases.map(\.rawValue)),
        "tollgate_last_reload_successful": Set(ReloadKind.allCases.map(\.rawValue)),
        "tollgate_store_errors_total": Set(StoreErrorKind.allCases.map(\.rawValue)),
    ]

    @Test("hostile label input (addresses, keys, random ids) never creates a series")
    func hostileInputIsBounded() throws {
        let metrics = TollgateMetrics(version: "9.9.9", revision: "r1")
        let table = metrics.configureFunctions(["api"])
        metrics.configureRules(ids: [1, 2])
        let before = try Exposition(metrics.exposition()).samples.count

        var generator = SystemRandomNumberGenerator()
        for i in 0..<2_000 {
            let address = "198.51.100.\(i % 256):\(UInt16.random(in: 1...65535, using: &generator))"
            metrics.recordRequest(
                function: table[address], action: .allowed, status: Int.random(in: -5...1000, using: &generator),
                upstreamSeconds: 0.01, proxySeconds: 0.0001)
            metrics.recordRuleMatch(ruleId: Int.random(in: 3...Int.max, using: &generator), category: "key-\(i)")
            metrics.recordParserRejection(reason: "Authorization: Bearer secret-\(i)")
            metrics.recordAnomalyScore(function: table["api-\(i)"], score: i)
        }
        let exposition = try Exposition(metrics.exposition())
        #expect(exposition.samples.count == before)

        let allowed = Self.allowedValues(functions: ["api"], ruleIds: [1, 2])
        for sample in exposition.samples {
            let family = try #require(exposition.family(of: sample.name))
            for (label, value) in sample.labels {
                let set = label == "kind" ? Self.kinds[family] : allowed[label]
                let values = try #require(set, "label \(label) of \(sample.name) has no closed set")
                #expect(values.contains(value), "\(sample.name){\(label)=\(value)}")
            }
        }
        #expect(
            exposition.value(
                "tollgate_requests_total", ["function": "other", "action": "allowed", "status_class": "none"]) ?? 0 > 0)
        #expect(!metrics.exposition().contains("198.51.100"))
        #expect(!metrics.exposition().contains("secret"))
    }

    @Test("no label name identifies a client")
    func noClientLabels() {
        let forbidden: Set<String> = ["client", "ip", "address", "key", "client_key", "user", "path", "url", "peer"]
        for definition in MetricCatalogue.all {
            #expect(Set(definition.labels).isDisjoint(with: forbidden), "\(definition.name)")
        }
    }

    @Test(
        "status classes",
        arguments: [
            (100, "1xx"), (199, "1xx"), (200, "2xx"), (304, "3xx"), (403, "4xx"), (429, "4xx"), (502, "5xx"),
            (599, "5xx"), (0, "none"), (600, "none"), (-1, "none"),
        ])
    func statusClasses(status: Int, expected: String) {
        #expect(StatusClass(status: status).rawValue == expected)
    }

    @Test("ordinals index the pre-built arrays without collisions")
    func ordinals() {
        #expect(RequestAction.allCases.map(\.ordinal) == Array(0..<RequestAction.allCases.count))
        #expect(StatusClass.allCases.map(\.ordinal) == Array(0..<StatusClass.allCases.count))
        #expect(LimitKind.allCases.map(\.ordinal) == Array(0..<LimitKind.allCases.count))
        #expect(LimitDecision.allCases.map(\.ordinal) == Array(0..<LimitDecision.allCases.count))
        #expect(UpstreamErrorKind.allCases.map(\.ordinal) == Array(0..<UpstreamErrorKind.allCases.count))
        #expect(RuleEngineErrorKind.allCases.map(\.ordinal) == Array(0..<RuleEngineErrorKind.allCases.count))
        #expect(ReloadKind.allCases.map(\.ordinal) == Array(0..<ReloadKind.allCases.count))
        #expect(StoreErrorKind.allCases.map(\.ordinal) == Array(0..<StoreErrorKind.allCases.count))
        #expect(ConnectionSide.allCases.map(\.ordinal) == Array(0..<ConnectionSide.allCases.count))
    }
}

@Suite("Reloads swap the label sets")
struct ReloadTests {
    @Test("functions removed by a reload leave the exposition; kept ones keep their values")
    func functionReload() throws {
        let metrics = TollgateMetrics(version: "1")
        let first = metrics.configureFunctions(["a", "b"])
        metrics.recordRequest(
            function: first["a"], action: .allowed, status: 200, upstreamSeconds: 0.1, proxySeconds: 0.001)
        metrics.recordRequest(
            function: first["b"], action: .blocked, status: 403, upstreamSeconds: nil, proxySeconds: 0.001)
        let second = metrics.configureFunctions(["a", "c"])
        #expect(second.names == ["a", "c"])
        #expect(metrics.functions.names == ["a", "c"])
        #expect(metrics.function(named: "b").name == "other")
        let exposition = try Exposition(metrics.exposition())
        let functions = Set(exposition.samples.compactMap { $0.labels["function"] })
        #expect(functions == ["a", "c", "other"])
        #expect(
            exposition.value("tollgate_requests_total", ["function": "a", "action": "allowed", "status_class": "2xx"])
                == 1)
        #expect(exposition.value("tollgate_upstream_latency_seconds_count", ["function": "a"]) == 1)
        // A stale handle (held by a request in flight across the reload) records harmlessly.
        metrics.recordRequest(
            function: first["b"], action: .blocked, status: 403, upstreamSeconds: nil, proxySeconds: 0.001)
        #expect(try Exposition(metrics.exposition()).samples.count == exposition.samples.count)
    }

    @Test("rule ids follow the loaded ruleset and set the rule count")
    func ruleReload() throws {
        let metrics = TollgateMetrics(version: "1")
        let first = metrics.configureRules(ids: [10, 20, 30, 30])
        #expect(first.ruleCount == 3)
        first.recordMatch(ruleId: 20)
        metrics.configureRules(ids: [20, 40])
        metrics.recordRuleMatch(ruleId: 20)
        metrics.recordRuleMatch(ruleId: 10)  // no longer loaded: other
        let exposition = try Exposition(metrics.exposition())
        let ids = Set(exposition.samples(named: "tollgate_rule_matches_total").compactMap { $0.labels["rule_id"] })
        #expect(ids == ["20", "40", "other"])
        #expect(exposition.value("tollgate_rule_matches_total", ["rule_id": "20"]) == 2)
        #expect(exposition.value("tollgate_rule_matches_total", ["rule_id": "other"]) == 1)
        #expect(exposition.value("tollgate_ruleset_rules") == 2)
        metrics.setRuleCount(7)
        #expect(try Exposition(metrics.exposition()).value("tollgate_ruleset_rules") == 7)
    }

    @Test("custom category and parser-reason sets")
    func customSets() throws {
        let metrics = TollgateMetrics(version: "1", categories: ["x", "other", "x"], parserReasons: ["r1"])
        metrics.recordRuleMatch(ruleId: 1, category: "x")
        metrics.recordParserRejection(reason: "bareLF")
        let exposition = try Exposition(metrics.exposition())
        #expect(exposition.samples(named: "tollgate_anomaly_category_matches_total").count == 2)
        #expect(exposition.value("tollgate_anomaly_category_matches_total", ["category": "x"]) == 1)
        #expect(exposition.value("tollgate_parser_rejections_total", ["reason": "other"]) == 1)
        #expect(exposition.value("tollgate_parser_rejections_total", ["reason": "r1"]) == 0)
    }
}

@Suite("Concurrent recording")
struct ConcurrencyTests {
    @Test("counters and histograms are exact under concurrent recording")
    func concurrentExact() throws {
        let metrics = TollgateMetrics(version: "1")
        let table = metrics.configureFunctions(["f"])
        let rules = metrics.configureRules(ids: [7])
        let function = table["f"]
        let iterations = 20_000
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for i in 0..<iterations {
                metrics.recordRequest(
                    function: function, action: worker % 2 == 0 ? .allowed : .blocked, status: 200,
                    upstreamSeconds: 0.001, proxySeconds: 0.0001)
                rules.recordMatch(ruleId: 7)
                metrics.recordSpent(function: function, usd: 0.5, gbSeconds: 0.25)
                if i % 2 == 0 { metrics.connectionOpened(.client) } else { metrics.connectionClosed(.client) }
            }
        }
        let exposition = try Exposition(metrics.exposition())
        let total = Double(4 * iterations)
        #expect(
            exposition.value("tollgate_requests_total", ["function": "f", "action": "allowed", "status_class": "2xx"])
                == total / 2)
        #expect(
            exposition.value("tollgate_requests_total", ["function": "f", "action": "blocked", "status_class": "2xx"])
                == total / 2)
        #expect(exposition.value("tollgate_upstream_latency_seconds_count", ["function": "f"]) == total)
        #expect(exposition.value("tollgate_rule_matches_total", ["rule_id": "7"]) == total)
        #expect(exposition.value("tollgate_function_spent_usd_total", ["function": "f"]) == total * 0.5)
        #expect(exposition.value("tollgate_open_connections", ["side": "client"]) == 0)
    }
}
