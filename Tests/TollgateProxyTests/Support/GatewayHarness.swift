import Foundation
import Logging
import Testing
import TollgateConfig
import TollgateMetrics
import TollgateTestSupport

@testable import TollgateProxy

/// Every whole-gateway test suite, run one test at a time: the tests block on loopback sockets, and
/// running several at once would tie up the cooperative thread pool other (async) tests need.
@Suite(.serialized) enum GatewayIntegration {}

/// The repository root and its Rulesets directory, found from this file.
enum Repository {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static var rulesets: String { root.appendingPathComponent("Rulesets").path }
    /// CRS v4 next to the worktrees (`../shared/crs` from the repository root), if present.
    static var sharedCRS: String? {
        let candidates = [
            root.appendingPathComponent("../shared/crs").standardizedFileURL.path,
            root.appendingPathComponent("../../shared/crs").standardizedFileURL.path,
        ]
        return candidates.first {
            FileManager.default.fileExists(atPath: $0 + "/rules/REQUEST-901-INITIALIZATION.conf")
        }
    }
}

/// A whole Tollgate (`Gateway`: proxy, rules, limits, metrics, logs, admin listener) on loopback ports
/// picked by the kernel, configured from YAML text, with in-memory log sinks.
final class GatewayHarness: @unchecked Sendable {
    let gateway: Gateway
    let metrics: TollgateMetrics
    let accessLog = MemoryLogSink()
    let auditLog = MemoryLogSink()
    let port: Int
    let adminPort: Int

    /// `yaml` is the configuration without `listen`/`admin_listen`/`workers` (added here).
    init(yaml: String, admin: Bool = true, workers: Int = 2) throws {
        let text =
            "listen: \"127.0.0.1:0\"\n" + (admin ? "admin_listen: \"127.0.0.1:0\"\n" : "") + "workers: \(workers)\n"
            + yaml
        let configuration = try TollgateConfiguration.parse(yaml: text, sourceFile: "test.yaml")
        metrics = TollgateMetrics(version: "test", revision: "abc123")
        var logger = Logger(label: "tollgate.integration")
        logger.logLevel = .warning
        gateway = try Gateway(
            configuration: configuration, logger: logger, metrics: metrics, accessLog: .some(accessLog),
            auditLog: .some(auditLog), hasher: ClientKeyHasher(k0: 1, k1: 2),
            environment: ["TOLLGATE_RULESETS": Repository.rulesets])
        try gateway.start()
        port = gateway.listeningPort
        adminPort = gateway.adminPort
    }

    static func configuration(_ yaml: String) throws -> TollgateConfiguration {
        try TollgateConfiguration.parse(
            yaml: "listen: \"127.0.0.1:0\"\nadmin_listen: \"127.0.0.1:0\"\nworkers: 2\n" + yaml, sourceFile: "test.yaml"
        )
    }

    func reload(_ yaml: String) throws {
        var configuration = try Self.configuration(yaml)
        // The listen address stays (port 0 would mean "another port").
        configuration.listen = ListenAddress(host: "127.0.0.1", port: port)
        try gateway.reload(configuration)
    }

    func connect(timeoutSeconds: Int = 10) throws -> TestSocket {
        try TestSocket.connect(port: port, timeoutSeconds: timeoutSeconds)
    }

    /// One GET on a fresh connection.
    func get(_ target: String, headers: [String: String] = [:]) throws -> TestResponse {
        var request = "GET \(target) HTTP/1.1\r\nHost: test\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "Connection: close\r\n\r\n"
        return try send(request)
    }

    func send(_ request: String) throws -> TestResponse {
        let socket = try connect()
        defer { socket.close() }
        socket.write(request)
        return try socket.readResponse()
    }

    /// One request to the admin listener.
    func admin(_ target: String, method: String = "GET", authorization: String? = nil) throws -> TestResponse {
        let socket = try TestSocket.connect(port: adminPort, timeoutSeconds: 10)
        defer { socket.close() }
        var request = "\(method) \(target) HTTP/1.1\r\nHost: admin\r\n"
        if let authorization { request += "Authorization: \(authorization)\r\n" }
        request += "\r\n"
        socket.write(request)
        return try socket.readResponse(head: method == "HEAD")
    }

    /// Scrapes `/metrics` over loopback and parses the exposition strictly.
    func scrape(authorization: String? = nil) throws -> (text: String, exposition: Exposition) {
        let response = try admin("/metrics", authorization: authorization)
        guard response.status == 200 else { throw TestError("scrape status \(response.status)") }
        let text = response.text
        return (text, try Exposition(text))
    }

    func stop() {
        gateway.shutdownBlocking(gracePeriod: .milliseconds(200))
    }
}

/// An upstream that answers 200 with a small JSON body.
func okUpstream(delayFor slowPath: String? = nil, delayMicroseconds: UInt32 = 0) throws -> TestUpstream {
    try TestUpstream { request, socket in
        if let slowPath, request.target.hasPrefix(slowPath) { usleep(delayMicroseconds) }
        let body = #"{"ok":true}"#
        return socket.write(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
    }
}

/// A loopback port nothing listens on (bound, then closed).
func closedPort() throws -> Int {
    let upstream = try TestUpstream()
    let port = upstream.port
    upstream.stop()
    return port
}
