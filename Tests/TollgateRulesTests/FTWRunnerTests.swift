import Foundation
import Testing
import TollgateFTW
import TollgateRules

@Suite("go-ftw runner")
struct FTWRunnerTests {
    static let rules = """
        SecRuleEngine On
        SecRequestBodyAccess On
        SecResponseBodyAccess On
        SecResponseBodyMimeType text/plain
        SecRule ARGS "@rx attack" "id:1001,phase:2,pass,log,msg:'attack in %{MATCHED_VAR_NAME}'"
        SecRule REQUEST_HEADERS:Content-Length "@eq 8" "id:1002,phase:1,pass,log"
        SecRule RESPONSE_BODY "@contains leak" "id:1003,phase:4,deny,status:500"
        """

    static let tests = """
        ---
        rule_id: 1001
        tests:
          - test_id: 1
            stages:
              - input:
                  method: POST
                  uri: /form
                  headers:
                    Host: localhost
                  data: "q=attack"
                output:
                  log:
                    expect_ids: [1001, 1002]
                    match_regex: 'attack in ARGS:q'
          - test_id: 2
            stages:
              - input:
                  uri: /?q=fine
                  headers:
                    Host: localhost
                output:
                  status: 200
                  log:
                    no_expect_ids: [1001]
          - test_id: 3
            desc: a request the strict parser refuses answers 400
            stages:
              - input:
                  uri: /
                  headers:
                    Host: localhost
                    "Bad Header": x
                output:
                  status: [400]
          - test_id: 4
            desc: the albedo backend reflects the response
            stages:
              - input:
                  method: POST
                  uri: /reflect
                  headers:
                    Host: localhost
                    Content-Type: application/json
                  data: '{"status": 200, "headers": {"Content-Type": "text/plain"}, "body": "a leak here"}'
                output:
                  status: 500
                  log:
                    expect_ids: [1003]
          - test_id: 5
            stages:
              - input:
                  uri: /?q=fine
                  headers:
                    Host: localhost
                output:
                  log:
                    expect_ids: [1001]
        """

    func files() throws -> (String, String) {
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.write(Self.tests, to: dir + "/1001.yaml")
        try TestSupport.write(
            """
            test_overrides:
              - rule_id: 1001
                test_ids: [5]
                reason: "expected to fail: nothing matches"
            """, to: dir + "/overrides.yaml")
        return (dir, dir + "/overrides.yaml")
    }

    @Test("stages pass and fail like go-ftw; overrides skip with a reason")
    func runs() throws {
        let (dir, overridesPath) = try files()
        let engine = try TestSupport.engine(Self.rules)
        let withoutOverrides = try FTWRunner(engine: engine).run(paths: [dir]) { _ in }
        #expect(withoutOverrides.passed == 4)
        #expect(withoutOverrides.failed == 1)
        #expect(withoutOverrides.failures.first?.hasPrefix("1001-5: missing ids [1001]") == true)

        let runner = try FTWRunner(engine: engine, overrides: FTWOverrides(path: overridesPath))
        let summary = runner.run(paths: [dir]) { _ in }
        #expect(summary.line == "4 passed, 0 failed, 1 skipped")
    }

    @Test("--include selects tests by RULE-TEST id")
    func include() throws {
        let (dir, _) = try files()
        let runner = try FTWRunner(engine: try TestSupport.engine(Self.rules), include: "^1001-[12]$")
        #expect(runner.run(paths: [dir]) { _ in }.line == "2 passed, 0 failed, 0 skipped")
    }

    @Test("an override without a reason is refused")
    func overrideNeedsReason() throws {
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.write("test_overrides:\n  - rule_id: 1\n    test_ids: [1]\n", to: dir + "/o.yaml")
        #expect(throws: FTWError.self) { _ = try FTWOverrides(path: dir + "/o.yaml") }
    }
}
