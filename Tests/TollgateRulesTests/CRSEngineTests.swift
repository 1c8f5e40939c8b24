import Foundation
import Testing
import TollgateFTW
import TollgateRules

@Suite(
    "CRS through the engine", .enabled(if: TestSupport.crsDirectory != nil, "CRS checkout ../shared/crs not present"))
struct CRSEngineTests {
    static func engine() throws -> Engine {
        let dir = try #require(TestSupport.crsDirectory)
        var loader = RuleSetLoader()
        try loader.load(text: "SecRuleEngine On\nSecRequestBodyAccess On\n")
        try loader.load(file: dir + "/crs-setup.conf.example")
        try loader.load(files: [dir + "/rules/*.conf"])
        return Engine(ruleSet: try loader.build(), mode: .block)
    }

    static let headers = [("Host", "localhost"), ("User-Agent", "Mozilla/5.0"), ("Accept", "text/html")]

    @Test("a path traversal attack is blocked by 949110 after 930100/930110 match")
    func attackBlocked() throws {
        let tx = TestSupport.run(
            try Self.engine(), uri: "/index.php?file=../../../../etc/passwd", headers: Self.headers)
        let ids = TestSupport.ids(tx)
        #expect(ids.contains(930120) || ids.contains(930110) || ids.contains(930100))
        #expect(ids.contains(949110))
        #expect(tx.verdict == .block(status: 403, ruleID: 949110))
        #expect(tx.anomalyScores.inbound >= 5)
    }

    @Test("a benign request is allowed with no rule logged")
    func benignAllowed() throws {
        let tx = TestSupport.run(try Self.engine(), uri: "/products?page=2&sort=price", headers: Self.headers)
        #expect(tx.verdict == .allow)
        #expect(tx.matchedRules.filter(\.logged).isEmpty)
        #expect(tx.anomalyScores.inbound == 0)
    }

    @Test("the regression setup loads and the FTW runner passes a known test file")
    func ftwRunner() throws {
        let dir = try #require(TestSupport.crsDirectory)
        let engine = Engine(ruleSet: try RegressionSetup.ruleSet(crsDirectory: dir))
        let runner = try FTWRunner(engine: engine)
        let summary = runner.run(paths: [dir + "/tests/regression/tests/REQUEST-911-METHOD-ENFORCEMENT"]) { _ in }
        #expect(summary.failed == 0)
        #expect(summary.passed > 0)
    }
}
