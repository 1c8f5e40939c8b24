import Foundation
import Testing
import TollgateConfig
import TollgateMetrics

@testable import TollgateProxy

extension GatewayIntegration {
    /// The rule engine in the proxy, end to end over loopback: real sockets, the embedded profile from
    /// Rulesets/, and (when present) CRS from ../shared/crs.
    @Suite(.serialized) struct IntegrationRulesTests {
        static func yaml(upstream: Int, mode: String = "block", extra: String = "") -> String {
            """
            functions:
              - name: echo
                route: /fn
                upstream: "http://127.0.0.1:\(upstream)"
              - name: health
                route: /health
                upstream: "http://127.0.0.1:\(upstream)"
            rules:
              mode: \(mode)
              profile: embedded
              functions:
                health: {mode: "off"}
            \(extra)
            """
        }

        static let sqli = "/fn/search?q=1'%20OR%20'1'='1"
        static let xss = "/fn/search?q=%3Cscript%3Ealert(1)%3C/script%3E"

        @Test("an SQL injection gets 403 with a JSON error and the request id, and never reaches the upstream")
        func attackIsBlocked() throws {
            let upstream = try okUpstream()
            defer { upstream.stop() }
            let harness = try GatewayHarness(yaml: Self.yaml(upstream: upstream.port))
            defer { harness.stop() }

            for target in [Self.sqli, Self.xss] {
                let response = try harness.get(target)
                #expect(response.status == 403)
                #expect(response.header("content-type") == "application/json")
                let requestID = try #require(response.header("x-request-id"))
                #expect(response.text.contains(#""request_id":"\#(requestID)""#))
                #expect(response.text.contains(#""status":403"#))
            }
            #expect(upstream.requests.isEmpty)
            // Audit records for both, with the SQLi rule and redaction of nothing secret here.
            let audit = harness.auditLog.lines
            #expect(audit.count == 2)
            #expect(audit.first?.contains(#""action":"blocked""#) == true)
            #expect(audit.first?.contains("4750420") == true)
        }

        @Test("audit and access lines never carry a cookie's value or the query")
        func auditIsRedacted() throws {
            let upstream = try okUpstream()
            defer { upstream.stop() }
            let harness = try GatewayHarness(yaml: Self.yaml(upstream: upstream.port))
            defer { harness.stop() }
            let response = try harness.get(
                "/fn/x?token=abc",
                headers: ["Cookie": "session=1' OR '1'='1", "Authorization": "Bearer topsecretvalue"])
            #expect(response.status == 403)
            #expect(ProxyHarness.eventually { harness.auditLog.lines.count == 1 && harness.accessLog.lines.count == 1 })
            let logs = harness.auditLog.lines.joined() + harness.accessLog.lines.joined()
            #expect(logs.contains("REQUEST_COOKIES:session"))
            #expect(logs.contains("[redacted]"))
            #expect(!logs.contains("OR '1'"))
            #expect(!logs.contains("topsecretvalue"))
            #expect(!logs.contains("token=abc"))
        }

        @Test("a benign request passes and reaches the upstream")
        func benignPasses() throws {
            let upstream = try okUpstream()
            defer { upstream.stop() }
            let harness = try GatewayHarness(yaml: Self.yaml(upstream: upstream.port))
            defer { harness.stop() }

            let response = try harness.get("/fn/hello?name=world&page=2")
            #expect(response.status == 200)
            #expect(response.text == #"{"ok":true}"#)
            #expect(upstream.requests.count == 1)
            #expect(harness.auditLog.lines.isEmpty)
        }

        @Test("a POST body attack is blocked in phase 2; a benign JSON body passes")
        func bodyAttackIsBlocked() throws {
            let upstream = try okUpstream()
            defer { upstream.stop() }
            let harness = try GatewayHarness(yaml: Self.yaml(upstream: upstream.port))
            defer { harness.stop() }

            let attack = "q=1%27%20OR%20%271%27%3D%271"
            let blocked = try harness.send(
                "POST /fn/form HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: \(attack.utf8.count)\r\nConnection: close\r\n\r\n\(attack)")
            #expect(blocked.status == 403)
            #expect(upstream.requests.isEmpty)

            let json = #"{"item":42,"note":"hello"}"#
            let passed = try harness.send(
                "POST /fn/orders HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                    + "Content-Length: \(json.utf8.count)\r\nConnection: close\r\n\r\n\(json)")
            #expect(passed.status == 200)
            #expect(upstream.requests.count == 1)
            #expect(upstream.requests.first.map { String(decoding: $0.body, as: UTF8.self) } == json)
        }

        @Test("detect mode forwards an attack and logs what it would have blocked")
        func detectModeForwards() throws {
            let upstream = try okUpstream()
            defer { upstream.stop() }
            let harness = try GatewayHarness(yaml: Self.yaml(upstream: upstream.port, mode: "detect"))
            defer { harness.stop() }

            let response = try harness.get(Self.sqli)
            #expect(response.status == 200)
            #expect(upstream.requests.count == 1)
            // The exchange is recorded just after the last response byte is sent.
            #expect(ProxyHarness.eventually { harness.accessLog.lines.count == 1 })
            let audit = harness.auditLog.lines
            #expect(audit.count == 1)
            #expect(audit.first?.contains(#""action":"allowed""#) == true)
            #expect(audit.first?.contains("4750420") == true)
            let access = harness.accessLog.lines
            #expect(access.count == 1)
            #expect(access.first?.contains("4750420") == true)
        }

        @Test("a response leaking a private key is held for phase 4 and answered with an error, never sent")
        func responseLeakIsBlocked() throws {
            let upstream = try TestUpstream { request, socket in
                let body =
                    request.target.hasSuffix("/leak")
                    ? "config:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n"
                    : "hello, world\n"
                return socket.write(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            }
            defer { upstream.stop() }
            let harness = try GatewayHarness(yaml: Self.yaml(upstream: upstream.port))
            defer { harness.stop() }

            let leak = try harness.get("/fn/leak")
            #expect(leak.status >= 400)
            #expect(!leak.text.contains("PRIVATE KEY"))
            #expect(leak.header("content-type") == "application/json")
            let fine = try harness.get("/fn/fine")
            #expect(fine.status == 200)
            #expect(fine.text == "hello, world\n")
            #expect(ProxyHarness.eventually { harness.auditLog.lines.count == 1 })
            #expect(harness.auditLog.lines.first?.contains("4752030") == true)
        }

        @Test("a per-function override turns rules off for one function only")
        func perFunctionModeOff() throws {
            let upstream = try okUpstream()
            defer { upstream.stop() }
            let harness = try GatewayHarness(yaml: Self.yaml(upstream: upstream.port))
            defer { harness.stop() }

            #expect(try harness.get("/health?q=1'%20OR%20'1'='1").status == 200)
            #expect(try harness.get(Self.sqli).status == 403)
            #expect(upstream.requests.count == 1)
        }

        @Test("a per-function paranoia level becomes a generated rule on the function's route")
        func generatedSettings() throws {
            let configuration = try GatewayHarness.configuration(
                """
                functions:
                  - name: a
                    route: /a
                    upstream: "http://127.0.0.1:9"
                  - name: b
                    route: /b/deep
                    methods: [GET, POST]
                    upstream: "http://127.0.0.1:9"
                rules:
                  profile: embedded
                  paranoia_level: 2
                  functions:
                    b: {paranoia_level: 3}
                """)
            let text = RulesetComposer.generatedSettings(configuration)
            #expect(text.contains("id:4759000,phase:1,pass,nolog,setvar:'tx.blocking_paranoia_level=2'"))
            #expect(
                text.contains(
                    #"SecRule REQUEST_FILENAME "@beginsWith /b/deep" "id:4759010,phase:1,pass,nolog,setvar:'tx.blocking_paranoia_level=3',setvar:'tx.tollgate_allowed_methods=GET POST'""#
                ))
            let ruleSet = try RulesetComposer.compose(
                configuration, environment: ["TOLLGATE_RULESETS": Repository.rulesets])
            #expect((ruleSet?.ruleCount ?? 0) > 50)
        }

        @Test("a bad ruleset on reload is refused with file and line; the old rules keep blocking")
        func badRulesetReloadIsRefused() throws {
            let upstream = try okUpstream()
            defer { upstream.stop() }
            let harness = try GatewayHarness(yaml: Self.yaml(upstream: upstream.port))
            defer { harness.stop() }
            let before = harness.gateway.ruleCount
            #expect(before > 0)

            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-it-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let bad = directory.appendingPathComponent("bad.conf")
            try
                "# fine\nSecRule ARGS \"@rx x\" \"id:9100001,phase:2,deny\"\nSecRule ARGS \"@nosuchop x\" \"id:9100002,phase:2,deny\"\n"
                .write(to: bad, atomically: true, encoding: .utf8)

            let extra = "  files: [\"\(bad.path)\"]"
            do {
                try harness.reload(Self.yaml(upstream: upstream.port, extra: extra))
                Issue.record("the reload was accepted")
            } catch let error as GatewayError {
                #expect(error.code == .ruleset)
                let ruleset = try #require(error.ruleset)
                #expect(ruleset.file == bad.path)
                #expect(ruleset.line == 3)
            }
            #expect(harness.gateway.ruleCount == before)
            #expect(try harness.get(Self.sqli).status == 403)
            #expect(try harness.get("/fn/ok").status == 200)
            let exposition = try harness.scrape().exposition
            #expect(exposition.value("tollgate_reloads_total", ["kind": "ruleset", "result": "failure"]) == 1)
            #expect(exposition.value("tollgate_reloads_total", ["kind": "config", "result": "failure"]) == 1)
            #expect(exposition.value("tollgate_last_reload_successful", ["kind": "ruleset"]) == 0)
            #expect(exposition.value("tollgate_ruleset_rules") == Double(before))

            // A good file is swapped in with the configuration: its rule blocks from then on.
            let good = directory.appendingPathComponent("good.conf")
            try
                "SecRule REQUEST_FILENAME \"@endsWith /forbidden\" \"id:9100003,phase:1,deny,status:403,log,msg:'test'\"\n"
                .write(to: good, atomically: true, encoding: .utf8)
            #expect(try harness.get("/fn/forbidden").status == 200)
            try harness.reload(Self.yaml(upstream: upstream.port, extra: "  files: [\"\(good.path)\"]"))
            #expect(harness.gateway.ruleCount == before + 1)
            #expect(try harness.get("/fn/forbidden").status == 403)
            #expect(try harness.get(Self.sqli).status == 403)
            let after = try harness.scrape().exposition
            #expect(after.value("tollgate_reloads_total", ["kind": "ruleset", "result": "success"]) == 1)
            #expect(after.value("tollgate_rule_matches_total", ["rule_id": "9100003"]) == 1)
        }

        @Test("a ruleset error at start refuses to start, naming file and line")
        func badRulesetAtStart() throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-it-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let bad = directory.appendingPathComponent("bad.conf")
            try "SecRule ARGS \"@rx x\" \"id:9100010,phase:2,deny,frobnicate\"\n".write(
                to: bad, atomically: true, encoding: .utf8)
            #expect {
                _ = try GatewayHarness(
                    yaml: """
                        functions:
                          - name: echo
                            route: /fn
                            upstream: "http://127.0.0.1:9"
                        rules:
                          files: ["\(bad.path)"]
                        """)
            } throws: { error in
                guard let error = error as? GatewayError, let ruleset = error.ruleset else { return false }
                return ruleset.file == bad.path && ruleset.line == 1
            }
        }

        @Test(
            "CRS v4 from ../shared/crs with the recommended profile blocks a CRS-detected attack",
            .enabled(if: Repository.sharedCRS != nil, "CRS is not at ../shared/crs"))
        func recommendedProfileWithCRS() throws {
            let crs = try #require(Repository.sharedCRS)
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
                      profile: recommended
                      crs_path: "\(crs)"
                    """, workers: 1)
            defer { harness.stop() }
            #expect(harness.gateway.ruleCount > 300)
            // Unix command injection (CRS 932 family) and a path traversal (930).
            let attack = try harness.get(
                "/fn/run?cmd=%3B%20cat%20/etc/passwd", headers: ["User-Agent": "curl/8", "Accept": "*/*"])
            #expect(attack.status == 403)
            let benign = try harness.get(
                "/fn/items?page=2&sort=name", headers: ["User-Agent": "curl/8", "Accept": "*/*"])
            #expect(benign.status == 200)
            #expect(upstream.requests.count == 1)
            let audit = harness.auditLog.lines.joined()
            #expect(audit.contains("949110") || audit.contains("4759920"))
        }
    }

    /// A PCRE2 match-limit error in the proxy: blocked (the engine's default) and counted, never skipped.
    @Suite struct IntegrationRuleEngineErrorTests {
        @Test("catastrophic backtracking hits the PCRE2 match limit: 403 and tollgate_rule_engine_errors_total")
        func matchLimitIsCountedAndBlocks() throws {
            let upstream = try okUpstream()
            defer { upstream.stop() }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-pcre-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let file = directory.appendingPathComponent("slow.conf")
            try "SecRule ARGS:x \"@rx ^(a|aa)+$\" \"id:9100020,phase:1,pass,log,msg:'slow'\"\n".write(
                to: file, atomically: true, encoding: .utf8)
            let harness = try GatewayHarness(
                yaml: """
                    functions:
                      - name: echo
                        route: /fn
                        upstream: "http://127.0.0.1:\(upstream.port)"
                    rules:
                      files: ["\(file.path)"]
                    """)
            defer { harness.stop() }
            #expect(try harness.get("/fn/?x=aaaa").status == 200)
            let evil = String(repeating: "a", count: 60) + "b"
            #expect(try harness.get("/fn/?x=\(evil)").status == 403)
            let exposition = try harness.scrape().exposition
            let errors = exposition.samples(named: "tollgate_rule_engine_errors_total").map(\.value).reduce(0, +)
            #expect(errors == 1)
            #expect(exposition.value("tollgate_rule_engine_errors_total", ["kind": "match_limit"]) == 1)
            #expect(upstream.requests.count == 1)
        }
    }
}
