import Foundation
import Logging
import Testing
import TollgateConfig

@testable import TollgateProxy

@Suite(.serialized) struct ProxyLifecycleTests {
    @Test func reloadUnderTrafficSwitchesUpstreamsWithoutErrors() throws {
        let first = try TestUpstream()
        defer { first.stop() }
        let second = try TestUpstream()
        defer { second.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: first)])
        defer { proxy.stop() }
        let failures = Counter()
        let done = Counter()
        let clients = (0..<4).map { _ in
            Thread {
                guard let socket = try? proxy.connect() else {
                    failures.add()
                    return
                }
                defer { socket.close() }
                for index in 0..<400 {
                    socket.write("GET /fn/\(index) HTTP/1.1\r\nHost: a\r\n\r\n")
                    guard let response = try? socket.readResponse(), response.status == 200 else {
                        failures.add()
                        return
                    }
                }
                done.add()
            }
        }
        clients.forEach { $0.start() }
        // Reload only once traffic reached the first upstream (a fixed sleep is not enough on a loaded machine).
        #expect(ProxyHarness.eventually(timeout: 10) { !first.requests.isEmpty })
        let configuration = TollgateConfiguration(
            listen: ListenAddress(host: "127.0.0.1", port: 0), workers: 2, functions: [function(upstream: second)])
        try proxy.server.reload(configuration)
        #expect(ProxyHarness.eventually(timeout: 20) { done.value + failures.value == 4 })
        #expect(failures.value == 0)
        #expect(done.value == 4)
        #expect(!first.requests.isEmpty)
        #expect(second.requests.count > 4)  // traffic after the reload went to the new upstream
        // New connections go to the new upstream.
        let before = second.requests.count
        _ = try proxy.send("GET /fn/after HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(second.requests.count == before + 1)
        #expect(second.requests.last?.target == "/fn/after")
    }

    @Test func reloadRefusesAListenAddressChange() throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)])
        defer { proxy.stop() }
        let configuration = TollgateConfiguration(
            listen: ListenAddress(host: "127.0.0.2", port: 0), functions: [function(upstream: upstream)])
        #expect(throws: ProxyError(.listenAddressChanged, "")) { try proxy.server.reload(configuration) }
        #expect(try proxy.send("GET /fn HTTP/1.1\r\nHost: a\r\n\r\n").status == 200)
    }

    @Test func bindFailureNamesTheAddress() throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let configuration = TollgateConfiguration(
            listen: ListenAddress(host: "127.0.0.1", port: upstream.port), functions: [function(upstream: upstream)])
        let server = ProxyServer(configuration: configuration, logger: Logger(label: "test"))
        do {
            try server.start()
            Issue.record("bind should have failed")
        } catch {
            #expect(error.code == .bindFailed)
            #expect(error.context.contains("127.0.0.1:\(upstream.port)"))
        }
    }

    @Test func shutdownLetsInFlightRequestsFinish() throws {
        // The upstream answers only once the test has seen the shutdown begin (bounded wait).
        let release = DispatchSemaphore(value: 0)
        let upstream = try TestUpstream { request, socket in
            _ = release.wait(timeout: .now() + 15)
            return TestUpstream.echo(request, socket)
        }
        defer { upstream.stop() }
        defer { release.signal() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream, timeoutMilliseconds: 20_000)])
        let busy = try proxy.connect()
        defer { busy.close() }
        let idle = try proxy.connect()
        defer { idle.close() }
        busy.write("GET /fn/slow HTTP/1.1\r\nHost: a\r\n\r\n")
        // In flight: the request reached the upstream before the shutdown begins.
        #expect(ProxyHarness.eventually(timeout: 10) { upstream.requests.count == 1 })
        let stopper = Thread { proxy.server.shutdownBlocking(gracePeriod: .seconds(10)) }
        stopper.start()
        // Every worker closes its listener when it starts draining: once connects are refused, all are draining.
        #expect(
            ProxyHarness.eventually(timeout: 10) {
                guard let probe = try? TestSocket.connect(port: proxy.port) else { return true }
                probe.close()
                return false
            })
        release.signal()
        let response = try busy.readResponse()
        #expect(response.status == 200)
        #expect(response.header("connection")?.lowercased() == "close")
        #expect(idle.isClosedByPeer())
        #expect(ProxyHarness.eventually { proxy.server.statistics().openClientConnections == 0 })
        #expect((try? TestSocket.connect(port: proxy.port)) == nil)
    }
}

/// A thread-safe counter for test threads.
final class Counter: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
