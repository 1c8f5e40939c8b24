import Foundation
import Testing
import TollgateTestSupport

@testable import TollgateMetrics

/// Metric names (`tollgate_…`) mentioned in `text`.
func referencedMetricNames(_ text: String) -> Set<String> {
    var names = Set<String>()
    let bytes = Array(text.utf8)
    let prefix = Array("tollgate_".utf8)
    var i = 0
    while i + prefix.count <= bytes.count {
        if Array(bytes[i..<(i + prefix.count)]) == prefix, i == 0 || !isIdentifierByte(bytes[i - 1]) {
            var j = i + prefix.count
            while j < bytes.count, isIdentifierByte(bytes[j]) { j += 1 }
            if j > i + prefix.count { names.insert(String(decoding: bytes[i..<j], as: UTF8.self)) }
            i = j
        } else {
            i += 1
        }
    }
    return names
}

private func isIdentifierByte(_ b: UInt8) -> Bool {
    (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || (b >= 0x41 && b <= 0x5A)
}

/// The catalogue family a referenced series name belongs to (histograms via `_bucket`, `_sum`, `_count`).
func catalogueFamily(of name: String) -> MetricDefinition? {
    if let definition = MetricCatalogue.all.first(where: { $0.name == name }) { return definition }
    for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
        let base = String(name.dropLast(suffix.count))
        if let definition = MetricCatalogue.all.first(where: { $0.name == base && $0.type == .histogram }) {
            return definition
        }
    }
    return nil
}

@Suite("docs/metrics.md")
struct DocsTests {
    @Test("the reference table lists every metric with its type and labels, and nothing else")
    func referenceTable() throws {
        let text = try RepositoryFiles.read("docs/metrics.md")
        var documented: [String: (type: String, labels: [String])] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `tollgate_") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            #expect(cells.count >= 5, "\(line)")
            let name = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let labels =
                cells[3] == "(none)"
                ? []
                : cells[3].split(separator: ",").map {
                    $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "`"))
                }
            #expect(documented[name] == nil, "\(name) documented twice")
            documented[name] = (cells[2], labels)
        }
        #expect(Set(documented.keys) == Set(MetricCatalogue.all.map(\.name)))
        for definition in MetricCatalogue.all {
            let entry = try #require(documented[definition.name], "\(definition.name) is not documented")
            #expect(entry.type == definition.type.rawValue, "\(definition.name)")
            #expect(entry.labels == definition.labels, "\(definition.name)")
        }
        for name in referencedMetricNames(text) {
            #expect(catalogueFamily(of: name) != nil, "docs mention unknown metric \(name)")
        }
    }
}

@Suite("Examples")
struct ExamplesTests {
    static func dashboard() throws -> [String: Any] {
        let data = try Data(contentsOf: RepositoryFiles.url("Examples/grafana-dashboard.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func queries(_ dashboard: [String: Any]) -> [String] {
        let panels = dashboard["panels"] as? [[String: Any]] ?? []
        return panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
    }

    @Test("the Grafana dashboard is a well-formed, importable dashboard")
    func dashboardStructure() throws {
        let dashboard = try Self.dashboard()
        #expect(dashboard["uid"] as? String == "tollgate-overview")
        #expect(dashboard["title"] as? String == "Tollgate")
        #expect((dashboard["schemaVersion"] as? Int ?? 0) >= 36)
        let variables = try #require((dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]])
        #expect(variables.compactMap { $0["name"] as? String } == ["datasource", "job", "function"])
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        let ids = panels.compactMap { $0["id"] as? Int }
        #expect(ids.count == panels.count && Set(ids).count == ids.count, "panel ids must be unique")
        for panel in panels {
            let title = panel["title"] as? String ?? "?"
            let grid = try #require(panel["gridPos"] as? [String: Int], "\(title)")
            #expect((grid["x"] ?? -1) >= 0 && (grid["x"] ?? 0) + (grid["w"] ?? 0) <= 24, "\(title)")
            guard panel["type"] as? String != "row" else { continue }
            #expect(
                ["timeseries", "stat", "bargauge", "heatmap", "table"].contains(panel["type"] as? String ?? ""),
                "\(title)")
            #expect((panel["datasource"] as? [String: String])?["uid"] == "${datasource}", "\(title)")
            let targets = try #require(panel["targets"] as? [[String: Any]], "\(title)")
            #expect(!targets.isEmpty, "\(title)")
            let refIds = targets.compactMap { $0["refId"] as? String }
            #expect(Set(refIds).count == targets.count, "\(title): refIds must be unique")
            for target in targets {
                #expect(!(target["expr"] as? String ?? "").isEmpty, "\(title)")
            }
        }
    }

    @Test("dashboard and alerts use only catalogued metrics, and the dashboard shows what the issue asks for")
    func referencedMetrics() throws {
        let dashboard = try Self.dashboard()
        var dashboardFamilies = Set<String>()
        for query in Self.queries(dashboard) {
            for name in referencedMetricNames(query) {
                let family = catalogueFamily(of: name)
                #expect(family != nil, "dashboard query uses unknown metric \(name)")
                if let family { dashboardFamilies.insert(family.name) }
            }
        }
        let required: Set<String> = [
            "tollgate_requests_total", "tollgate_rule_matches_total", "tollgate_anomaly_score",
            "tollgate_limiter_decisions_total", "tollgate_function_spent_usd_total", "tollgate_function_reserved_usd",
            "tollgate_function_budget_remaining_usd", "tollgate_upstream_latency_seconds",
            "tollgate_proxy_added_latency_seconds", "tollgate_open_connections", "tollgate_upstream_errors_total",
            "tollgate_parser_rejections_total", "tollgate_reloads_total",
        ]
        #expect(required.isSubset(of: dashboardFamilies), "missing: \(required.subtracting(dashboardFamilies))")

        let alerts = try RepositoryFiles.read("Examples/prometheus-alerts.yaml")
        for name in referencedMetricNames(alerts) {
            #expect(catalogueFamily(of: name) != nil, "alert uses unknown metric \(name)")
        }
    }

    @Test(
        "every dashboard query is valid PromQL (promtool check rules on them as recording rules)",
        .enabled(if: ExternalTools.promtool != nil, "promtool is not installed (apt-get install -y prometheus)"))
    func dashboardQueriesParse() throws {
        let promtool = try #require(ExternalTools.promtool)
        let queries = Self.queries(try Self.dashboard())
        #expect(queries.count >= 20)
        var yaml = "groups:\n  - name: dashboard\n    rules:\n"
        for (i, query) in queries.enumerated() {
            let concrete = query.replacingOccurrences(of: "$__rate_interval", with: "5m")
                .replacingOccurrences(of: "$__range", with: "1h").replacingOccurrences(of: "$job", with: ".*")
                .replacingOccurrences(of: "$function", with: ".*")
            let quoted = String(
                decoding: try JSONSerialization.data(
                    withJSONObject: concrete, options: [.fragmentsAllowed, .withoutEscapingSlashes]), as: UTF8.self)
            yaml += "      - record: dashboard:query\(i)\n        expr: \(quoted)\n"
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-dashboard-\(getpid()).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try ExternalTools.run(promtool, ["check", "rules", file.path])
        #expect(result.status == 0, "promtool: \(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("SUCCESS: \(queries.count) rules found"), "\(result.stdout)")
    }
}
