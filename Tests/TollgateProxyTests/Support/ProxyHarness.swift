import CTollgateSystem
import Foundation
import Glibc
import Logging
import TollgateConfig

@testable import TollgateProxy

/// Starts a ProxyServer on 127.0.0.1:0 with 2 workers in front of the given functions.
final class ProxyHarness: @unchecked Sendable {
    // Immutable after init.
    let server: ProxyServer
    let port: Int

    init(functions: [FunctionConfiguration], http: HTTPSettings = HTTPSettings(), workers: Int = 2) throws {
        let configuration = TollgateConfiguration(
            listen: ListenAddress(host: "127.0.0.1", port: 0), workers: workers, http: http, functions: functions)
        var logger = Logger(label: "tollgate.test")
        logger.logLevel = .warning
        server = ProxyServer(configuration: configuration, logger: logger)
        try server.start()
        port = server.listeningPort
    }

    func connect(timeoutSeconds: Int = 10) throws -> TestSocket {
        try TestSocket.connect(port: port, timeoutSeconds: timeoutSeconds)
    }

    /// One request on a fresh connection.
    func send(_ request: String, head: Bool = false) throws -> TestResponse {
        let socket = try connect()
        defer { socket.close() }
        socket.write(request)
        return try socket.readResponse(head: head)
    }

    func stop() {
        server.shutdownBlocking(gracePeriod: .milliseconds(200))
    }

    /// Waits (bounded) until `condition` holds.
    static func eventually(timeout: Double = 5, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }
}

func function(
    _ name: String = "echo", route: String = "/fn", upstream: TestUpstream, timeoutMilliseconds: Int = 5_000,
    methods: [String] = [], hosts: [String] = [], maxBodyBytes: Int? = nil, stripPrefix: Bool = false
) -> FunctionConfiguration {
    FunctionConfiguration(
        name: name, route: route, hosts: hosts, methods: methods,
        upstream: UpstreamAddress(host: "127.0.0.1", port: upstream.port), stripPrefix: stripPrefix,
        // Loopback connects complete at once, but their result reaches the worker through epoll: a worker thread
        // descheduled for longer than the connect timeout may see its deadline tick first (504 "upstream connect
        // timed out"). No test here is about the connect timeout; keep it far above scheduling delays.
        timeoutMilliseconds: timeoutMilliseconds, connectTimeoutMilliseconds: 5_000, maxBodyBytes: maxBodyBytes)
}

/// Open socket descriptors of this process whose local or remote TCP port is one of `ports` (a test's proxy and
/// upstream). Sockets of tests running in parallel in this process are not counted: they come and go at any time.
func openSocketCount(ports: Set<Int>) -> Int {
    var inodes = Set<Substring>()
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
        // "sl local_address rem_address st ... uid timeout inode": addresses are HEXADDR:HEXPORT.
        for line in text.split(separator: "\n").dropFirst() {
            let columns = line.split(separator: " ")
            guard columns.count > 9 else { continue }
            let local = columns[1].split(separator: ":").last.flatMap { Int($0, radix: 16) } ?? -1
            let remote = columns[2].split(separator: ":").last.flatMap { Int($0, radix: 16) } ?? -1
            if ports.contains(local) || ports.contains(remote) { inodes.insert(columns[9]) }
        }
    }
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return -1 }
    var sockets = 0
    var target = [CChar](repeating: 0, count: 256)
    for entry in entries {
        let length = readlink("/proc/self/fd/" + entry, &target, target.count - 1)
        guard length > 0 else { continue }
        let text = String(decoding: target[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // "socket:[inode]"
        guard text.hasPrefix("socket:["), text.hasSuffix("]") else { continue }
        if inodes.contains(text.dropFirst(8).dropLast()) { sockets += 1 }
    }
    return sockets
}
