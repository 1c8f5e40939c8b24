import Foundation
import Testing
import TollgateRegex

@testable import TollgateProxy

@Suite("Response redaction")
struct ResponseRedactionTests {
    @Test("every match is masked, text around it kept")
    func masksEveryMatch() throws {
        let regex = try Regex(#"\b(?:AKIA|ASIA)[A-Z2-7]{16}\b"#)
        let body = Array(#"{"a":"AKIAABCDEFGHIJKLMNOP","b":"ok","c":"ASIAQRSTUVWXYZ234567"}"#.utf8)
        let out = try #require(ResponseRedaction.redact(body, regex))
        #expect(String(decoding: out, as: UTF8.self) == #"{"a":"[REDACTED]","b":"ok","c":"[REDACTED]"}"#)
    }

    @Test("\\K keeps the key and masks only the value")
    func keepsKeyWithK() throws {
        let regex = try Regex(#"(?i:aws_?secret_?access_?key)[\x22\x27]?\s*[:=]\s*[\x22\x27]?\K[A-Za-z0-9/+=]{30,}"#)
        let body = Array(#"{"aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}"#.utf8)
        let out = try #require(ResponseRedaction.redact(body, regex))
        #expect(String(decoding: out, as: UTF8.self) == #"{"aws_secret_access_key": "[REDACTED]"}"#)
    }

    @Test("more matches than maximumMasks: no redaction (the response blocks)")
    func tooManyMatches() throws {
        let regex = try Regex("k[0-9]")
        let many = Array(String(repeating: "k1 ", count: ResponseRedaction.maximumMasks + 1).utf8)
        #expect(ResponseRedaction.redact(many, regex) == nil)
        let enough = Array(String(repeating: "k1 ", count: ResponseRedaction.maximumMasks).utf8)
        let out = try #require(ResponseRedaction.redact(enough, regex))
        #expect(out == Array(String(repeating: "[REDACTED] ", count: ResponseRedaction.maximumMasks).utf8))
    }

    @Test("no match leaves the body as it was")
    func noMatch() throws {
        let regex = try Regex("AKIA[A-Z2-7]{16}")
        let body = Array("nothing secret here".utf8)
        #expect(ResponseRedaction.redact(body, regex) == body)
    }

    @Test("a match that hits a PCRE2 limit is an error, never 'nothing to mask'")
    func limitIsError() throws {
        let regex = try Regex("(a+)+$", limits: RegexLimits(matchLimit: 1000, depthLimit: 1000))
        let body = Array((String(repeating: "a", count: 40) + "!").utf8)
        #expect(ResponseRedaction.redact(body, regex) == nil)
    }

    @Test("Content-Length is rewritten whatever its spelling; a head without it cannot be fixed")
    func contentLength() throws {
        let head = Array("HTTP/1.1 200 OK\r\ncontent-LENGTH: 123\r\nX-A: b\r\n\r\n".utf8)
        let out = try #require(ResponseRedaction.settingContentLength(head, to: 7))
        #expect(String(decoding: out, as: UTF8.self) == "HTTP/1.1 200 OK\r\ncontent-LENGTH: 7\r\nX-A: b\r\n\r\n")
        let without = Array("HTTP/1.1 200 OK\r\nX-A: b\r\n\r\n".utf8)
        #expect(ResponseRedaction.settingContentLength(without, to: 7) == nil)
    }

    @Test("the redaction pattern comes from the tollgate-redact/ tag")
    func tagPattern() {
        #expect(ResponseRedaction.pattern(["tollgate", "tollgate-redact/a[0-9]+b"]) == "a[0-9]+b")
        #expect(ResponseRedaction.pattern(["tollgate", "tollgate-redact/"]) == nil)
        #expect(ResponseRedaction.pattern(["attack-disclosure"]) == nil)
    }

    @Test("every tollgate-redact/ pattern shipped in Rulesets/ compiles")
    func shippedPatternsCompile() throws {
        let folder = Repository.root.appendingPathComponent("Rulesets/tollgate")
        var count = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".conf") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            var rest = Substring(text)
            while let range = rest.range(of: "tag:'\(ResponseRedaction.tagPrefix)") {
                let after = rest[range.upperBound...]
                let end = try #require(after.firstIndex(of: "'"))
                #expect(throws: Never.self) { _ = try Regex(String(after[..<end])) }
                count += 1
                rest = after[end...]
            }
        }
        #expect(count >= 6)
    }
}

extension GatewayIntegration {
    /// Redaction end to end: the embedded profile in `tx.tollgate_response_mode=redact`.
    @Suite(.serialized) struct ResponseRedactionIntegrationTests {
        static func yaml(upstream: Int, settings: String) -> String {
            """
            functions:
              - name: fn
                route: /fn
                upstream: "http://127.0.0.1:\(upstream)"
            rules:
              mode: block
              profile: embedded
              files: ["\(settings)"]
            """
        }

        static func leakingUpstream() throws -> TestUpstream {
            try TestUpstream { request, socket in
                let body: String
                if request.target.hasSuffix("/keys") {
                    body =
                        #"{"user":"ana","key":"AKIAABCDEFGHIJKLMNOP","token":"ghp_0123456789abcdefghijABCDEFGHIJ0123456789"}"#
                } else if request.target.hasSuffix("/trace") {
                    body =
                        "Traceback (most recent call last):\n  File \"/var/task/app.py\", line 12, in handler\n"
                        + "    raise ValueError(\"AKIAABCDEFGHIJKLMNOP\")\nValueError: bad\n"
                } else if request.target.hasSuffix("/header") {
                    let body = "ok"
                    return socket.write(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Debug: AKIAABCDEFGHIJKLMNOP\r\n"
                            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
                } else {
                    body = #"{"user":"ana"}"#
                }
                return socket.write(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                )
            }
        }

        static func settingsFile(_ mode: String) throws -> URL {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-redact-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let file = directory.appendingPathComponent("settings.conf")
            try "SecAction \"id:10001,phase:1,pass,nolog,setvar:'tx.tollgate_response_mode=\(mode)'\"\n"
                .write(to: file, atomically: true, encoding: .utf8)
            return file
        }

        @Test("redact mode sends the response with each secret masked and a matching Content-Length")
        func secretsAreMasked() throws {
            let upstream = try Self.leakingUpstream()
            defer { upstream.stop() }
            let settings = try Self.settingsFile("redact")
            defer { try? FileManager.default.removeItem(at: settings.deletingLastPathComponent()) }
            let harness = try GatewayHarness(yaml: Self.yaml(upstream: upstream.port, settings: settings.path))
            defer { harness.stop() }

            let response = try harness.get("/fn/keys")
            #expect(response.status == 200)
            #expect(response.text == #"{"user":"ana","key":"[REDACTED]","token":"[REDACTED]"}"#)
            #expect(response.header("content-length") == String(response.text.utf8.count))
            // The exchange is audited (the rules matched), as delivered rather than blocked.
            #expect(ProxyHarness.eventually { harness.auditLog.lines.count == 1 })
            let audit = harness.auditLog.lines.first ?? ""
            #expect(audit.contains("4752010") && audit.contains("4752070"))
            #expect(audit.contains(#""action":"allowed""#))
            // A clean response passes untouched; the connection stays usable.
            let clean = try harness.get("/fn/clean")
            #expect(clean.status == 200)
            #expect(clean.text == #"{"user":"ana"}"#)
        }

        @Test("redact mode still blocks what it cannot mask: a stack trace, a secret in a header")
        func unmaskableBlocks() throws {
            let upstream = try Self.leakingUpstream()
            defer { upstream.stop() }
            let settings = try Self.settingsFile("redact")
            defer { try? FileManager.default.removeItem(at: settings.deletingLastPathComponent()) }
            let harness = try GatewayHarness(yaml: Self.yaml(upstream: upstream.port, settings: settings.path))
            defer { harness.stop() }

            let trace = try harness.get("/fn/trace")
            #expect(trace.status >= 400)
            #expect(!trace.text.contains("AKIA"))
            let header = try harness.get("/fn/header")
            #expect(header.status >= 400)
            #expect(header.header("x-debug") == nil)
        }

        @Test("block mode (the default) blocks the same response")
        func blockModeBlocks() throws {
            let upstream = try Self.leakingUpstream()
            defer { upstream.stop() }
            let settings = try Self.settingsFile("block")
            defer { try? FileManager.default.removeItem(at: settings.deletingLastPathComponent()) }
            let harness = try GatewayHarness(yaml: Self.yaml(upstream: upstream.port, settings: settings.path))
            defer { harness.stop() }

            let response = try harness.get("/fn/keys")
            #expect(response.status >= 400)
            #expect(!response.text.contains("AKIA"))
        }
    }
}
