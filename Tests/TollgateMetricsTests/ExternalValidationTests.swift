import Foundation
import Testing
import TollgateTestSupport

@testable import TollgateMetrics

/// Validates the exposition and the example alerting rules with real Prometheus parsers.
///
/// Each check runs only when its tool is installed; CI installs both (`apt-get install -y prometheus`,
/// `pip install prometheus_client`). Without them the checks are skipped, and say why.
@Suite("External validators")
struct ExternalValidationTests {
    // promtool comes from Debian's `prometheus` package.
    @Test(
        "promtool check metrics accepts the exposition, lint included",
        .enabled(if: ExternalTools.promtool != nil, "promtool is not installed (apt-get install -y prometheus)"))
    func promtoolCheckMetrics() throws {
        let promtool = try #require(ExternalTools.promtool)
        let text = Scenario.run().exposition()
        let result = try ExternalTools.run(promtool, ["check", "metrics"], input: text)
        #expect(result.status == 0, "promtool: \(result.stdout) \(result.stderr)")
        #expect(result.stderr.isEmpty && result.stdout.isEmpty, "\(result.stdout) \(result.stderr)")
    }

    @Test(
        "promtool check metrics rejects a broken exposition (the check can fail)",
        .enabled(if: ExternalTools.promtool != nil, "promtool is not installed (apt-get install -y prometheus)"))
    func promtoolRejectsBroken() throws {
        let promtool = try #require(ExternalTools.promtool)
        let broken = "# TYPE x_total counter\nx_total{a=\"b} 1\n"
        let result = try ExternalTools.run(promtool, ["check", "metrics"], input: broken)
        #expect(result.status != 0)
    }

    // python3 with prometheus_client from PyPI.
    @Test(
        "prometheus_client's parser reads every family and the same values",
        .enabled(
            if: ExternalTools.hasPrometheusClient,
            "python3 with prometheus_client is not available (pip install prometheus_client)"))
    func pythonParser() throws {
        let python3 = try #require(ExternalTools.python3)
        let script = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = {}
            for family in text_string_to_metric_families(sys.stdin.read()):
                out[family.name] = {"type": family.type, "samples": [[s.name, s.labels, s.value] for s in family.samples]}
            print(json.dumps(out))
            """
        let result = try ExternalTools.run(python3, ["-c", script], input: Scenario.run().exposition())
        #expect(result.status == 0, "\(result.stderr)")
        let parsed = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: [String: Any]])
        // prometheus_client names counter families without the `_total` suffix.
        let expectedNames = Set(MetricCatalogue.all.map { $0.type == .counter ? String($0.name.dropLast(6)) : $0.name })
        #expect(Set(parsed.keys) == expectedNames)
        for definition in MetricCatalogue.all {
            let key = definition.type == .counter ? String(definition.name.dropLast(6)) : definition.name
            #expect(parsed[key]?["type"] as? String == definition.type.rawValue, "\(definition.name)")
        }
        let samples = try #require(parsed["tollgate_requests"]?["samples"] as? [[Any]])
        let hit = samples.first {
            ($0[1] as? [String: String]) == ["function": "checkout", "action": "allowed", "status_class": "2xx"]
        }
        #expect(hit?[2] as? Double == 3)
        let total = samples.compactMap { $0[2] as? Double }.reduce(0, +)
        #expect(total == 9)
    }

    @Test(
        "promtool check rules accepts Examples/prometheus-alerts.yaml",
        .enabled(if: ExternalTools.promtool != nil, "promtool is not installed (apt-get install -y prometheus)"))
    func promtoolCheckRules() throws {
        let promtool = try #require(ExternalTools.promtool)
        let path = RepositoryFiles.url("Examples/prometheus-alerts.yaml").path
        let result = try ExternalTools.run(promtool, ["check", "rules", path])
        #expect(result.status == 0, "promtool: \(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("SUCCESS"), "\(result.stdout)")
    }

    @Test(
        "promtool test rules: every example alert fires on its synthetic series, and not before",
        .enabled(if: ExternalTools.promtool != nil, "promtool is not installed (apt-get install -y prometheus)"))
    func promtoolTestRules() throws {
        let promtool = try #require(ExternalTools.promtool)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-alerts-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let rules = RepositoryFiles.url("Examples/prometheus-alerts.yaml").path
        let testFile = directory.appendingPathComponent("alerts-test.yaml")
        try AlertsUnitTest.yaml.replacingOccurrences(of: "RULES_FILE", with: rules)
            .write(to: testFile, atomically: true, encoding: .utf8)
        let result = try ExternalTools.run(promtool, ["test", "rules", testFile.path])
        #expect(result.status == 0, "promtool: \(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("SUCCESS"))
        // Every alert in the rules file is exercised by the unit test.
        let alertNames = try RepositoryFiles.read("Examples/prometheus-alerts.yaml").split(separator: "\n")
            .compactMap { line -> String? in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                return trimmed.hasPrefix("- alert: ") ? String(trimmed.dropFirst(9)) : nil
            }
        #expect(alertNames.count == 7)
        for name in alertNames {
            #expect(AlertsUnitTest.yaml.contains("alertname: \(name)\n"), "\(name) has no promtool unit test")
        }
    }
}
