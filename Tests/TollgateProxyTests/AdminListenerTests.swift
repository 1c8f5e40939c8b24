import Foundation
import Testing
import TollgateConfig
import TollgateMetrics
import TollgateTestSupport

@testable import TollgateProxy

extension GatewayIntegration {
    /// The admin listener over loopback: /metrics, /healthz, /readyz, the bearer token, short JSON errors.
    @Suite(.serialized) struct AdminListenerTests {
        static func yaml(token: String? = nil) -> String {
            (token.map { "admin_token: \"\($0)\"\n" } ?? "")
                + """
                functions:
                  - name: echo
                    route: /fn
                    upstream: "http://127.0.0.1:9"
                """
        }

        @Test("healthz and readyz answer 200 with JSON; metrics is the text exposition 0.0.4")
        func endpoints() throws {
            let harness = try GatewayHarness(yaml: Self.yaml())
            defer { harness.stop() }
            let health = try harness.admin("/healthz")
            #expect(health.status == 200)
            #expect(health.text == #"{"status":"alive"}"#)
            let ready = try harness.admin("/readyz")
            #expect(ready.status == 200)
            #expect(ready.text.contains(#""status":"ready""#))
            let metrics = try harness.admin("/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.header("content-type") == "text/plain; version=0.0.4; charset=utf-8")
            #expect(
                try Exposition(metrics.text).value("tollgate_build_info", ["version": "test", "revision": "abc123"])
                    == 1)
            let head = try harness.admin("/healthz", method: "HEAD")
            #expect(head.status == 200)
        }

        @Test("unknown paths, other methods and garbage get short JSON errors")
        func errors() throws {
            let harness = try GatewayHarness(yaml: Self.yaml())
            defer { harness.stop() }
            let missing = try harness.admin("/nope")
            #expect(missing.status == 404)
            #expect(missing.text == #"{"error":"not_found"}"#)
            let post = try harness.admin("/metrics", method: "POST")
            #expect(post.status == 405)
            #expect(post.header("allow") == "GET, HEAD")
            let socket = try TestSocket.connect(port: harness.adminPort)
            defer { socket.close() }
            socket.write("this is not http\r\n\r\n")
            let garbage = try socket.readResponse()
            #expect(garbage.status == 400)
            #expect(garbage.header("content-type") == "application/json")
        }

        @Test("with admin_token, /metrics needs the bearer token; health stays open")
        func bearerToken() throws {
            let token = "s3cret-token-0123456789"
            let harness = try GatewayHarness(yaml: Self.yaml(token: token))
            defer { harness.stop() }
            #expect(try harness.admin("/metrics").status == 401)
            #expect(try harness.admin("/metrics").header("www-authenticate") == "Bearer")
            #expect(try harness.admin("/metrics", authorization: "Bearer wrong-token-0123456789").status == 401)
            #expect(try harness.admin("/metrics", authorization: "Basic \(token)").status == 401)
            #expect(try harness.admin("/metrics", authorization: "Bearer \(token)").status == 200)
            #expect(
                try harness.scrape(authorization: "bearer \(token)").exposition.value("tollgate_ruleset_rules") == 0)
            #expect(try harness.admin("/healthz").status == 200)
        }

        @Test("a token is required when admin_listen is not loopback; short tokens are refused")
        func tokenRequiredOffLoopback() throws {
            let open = "listen: \"127.0.0.1:0\"\nadmin_listen: \"0.0.0.0:0\"\n" + Self.yaml()
            #expect {
                _ = try TollgateConfiguration.parse(yaml: open, sourceFile: "t.yaml")
            } throws: { error in
                "\(error)".contains("admin_token") && "\(error)".contains("loopback")
            }
            let short = "listen: \"127.0.0.1:0\"\nadmin_listen: \"0.0.0.0:0\"\nadmin_token: short\n" + Self.yaml()
            #expect(throws: (any Error).self) { _ = try TollgateConfiguration.parse(yaml: short, sourceFile: "t.yaml") }
            let good =
                "listen: \"127.0.0.1:0\"\nadmin_listen: \"0.0.0.0:0\"\nadmin_token: a-long-enough-token\n" + Self.yaml()
            #expect(
                try TollgateConfiguration.parse(yaml: good, sourceFile: "t.yaml").adminToken == "a-long-enough-token")
        }

        @Test("admin_token_file is read (first line) and a reload can change the token")
        func tokenFileAndReload() throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-admin-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let file = directory.appendingPathComponent("token")
            try "file-token-0123456789\nignored\n".write(to: file, atomically: true, encoding: .utf8)
            let harness = try GatewayHarness(yaml: "admin_token_file: \"\(file.path)\"\n" + Self.yaml())
            defer { harness.stop() }
            #expect(try harness.admin("/metrics", authorization: "Bearer file-token-0123456789").status == 200)
            var configuration = try GatewayHarness.configuration(Self.yaml(token: "another-token-0123456789"))
            configuration.listen = ListenAddress(host: "127.0.0.1", port: harness.port)
            try harness.gateway.reload(configuration)
            #expect(try harness.admin("/metrics", authorization: "Bearer file-token-0123456789").status == 401)
            #expect(try harness.admin("/metrics", authorization: "Bearer another-token-0123456789").status == 200)
            let exposition = try harness.scrape(authorization: "Bearer another-token-0123456789").exposition
            #expect(exposition.value("tollgate_reloads_total", ["kind": "config", "result": "success"]) == 1)
            #expect(exposition.value("tollgate_last_reload_successful", ["kind": "config"]) == 1)
        }

        @Test("readyz turns 503 while draining")
        func readyWhileDraining() throws {
            let harness = try GatewayHarness(yaml: Self.yaml())
            harness.gateway.health.setDraining(true)
            let ready = try harness.admin("/readyz")
            #expect(ready.status == 503)
            #expect(ready.text.contains(#""draining":true"#))
            harness.stop()
        }
    }
}
