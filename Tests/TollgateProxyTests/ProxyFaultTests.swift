import Foundation
import Glibc
import Testing
import TollgateConfig

@testable import TollgateProxy

/// A port bound but not listening (connects are refused) for as long as the returned descriptor is open, so
/// no test running in parallel can take it.
private func refusingPort() throws -> (port: Int, fd: Int32) {
    let fd = socket(AF_INET, testSocketType, 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw TestError("bind failed") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return (Int(UInt16(bigEndian: address.sin_port)), fd)
}

/// The answer to `GET /fn` through a proxy whose one function's upstream answers with `respond`.
private func getThroughProxy(upstreamResponding respond: @escaping TestUpstream.Responder) throws -> TestResponse {
    let upstream = try TestUpstream(respond: respond)
    defer { upstream.stop() }
    let proxy = try ProxyHarness(functions: [function(upstream: upstream)])
    defer { proxy.stop() }
    return try proxy.send("GET /fn HTTP/1.1\r\nHost: a\r\n\r\n")
}

@Suite(.serialized) struct ProxyFaultTests {
    @Test func upstreamDownIs502AndTheConnectionStaysUsable() throws {
        let (port, reserved) = try refusingPort()
        defer { close(reserved) }
        let proxy = try ProxyHarness(functions: [
            FunctionConfiguration(
                name: "down", route: "/fn", upstream: UpstreamAddress(host: "127.0.0.1", port: port),
                // The refusal arrives through epoll like any connect result: a connect timeout below scheduling
                // delays on a loaded machine could answer 504 first.
                timeoutMilliseconds: 5_000, connectTimeoutMilliseconds: 5_000)
        ])
        defer { proxy.stop() }
        let socket = try proxy.connect()
        defer { socket.close() }
        for _ in 0..<3 {
            socket.write("GET /fn HTTP/1.1\r\nHost: a\r\n\r\n")
            let response = try socket.readResponse()
            #expect(response.status == 502)
            #expect(response.text.contains("\"status\":502"))
            #expect(response.header("content-type") == "application/json")
        }
        #expect(proxy.server.statistics().upstreamFailures >= 3)
    }

    @Test func slowUpstreamIs504() throws {
        let upstream = try TestUpstream { request, socket in
            usleep(4_000_000)
            return TestUpstream.echo(request, socket)
        }
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream, timeoutMilliseconds: 300)])
        defer { proxy.stop() }
        let started = Date()
        let response = try proxy.send("GET /fn HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(response.status == 504)
        // Well before the upstream would have answered (4 s), with room for a loaded machine.
        #expect(Date().timeIntervalSince(started) < 3.5)
        #expect(ProxyHarness.eventually { proxy.server.statistics().openUpstreamConnections == 0 })
    }

    @Test func upstreamResetBeforeTheHeadIs502() throws {
        let upstream = try TestUpstream { _, socket in
            socket.reset()
            return false
        }
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)])
        defer { proxy.stop() }
        #expect(try proxy.send("GET /fn HTTP/1.1\r\nHost: a\r\n\r\n").status == 502)
    }

    @Test func garbledUpstreamResponseIs502() throws {
        let response = try getThroughProxy { _, socket in
            socket.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n")
            return false
        }
        #expect(response.status == 502)
    }

    @Test func upstreamHeadWithBareLineFeedsIs502AtOnce() throws {
        // Lines ended by LF alone and the connection left open: no CRLF CRLF ever comes. The answer is a 502
        // for the malformed head, not a 504 at the function's timeout.
        let response = try getThroughProxy { _, socket in
            socket.write("HTTP/1.1 200 OK\nContent-Length: 2\n\nok")
            return true
        }
        #expect(response.status == 502)
        #expect(response.text.contains("malformed upstream response"))
    }

    @Test(arguments: [true, false])
    func upstreamHeadOver64KiBIs502(inOneWrite: Bool) throws {
        // 100 KB of fields: refused whether the whole head arrives in one read or the bound is crossed before
        // its end does.
        let response = try getThroughProxy { _, socket in
            let big = "HTTP/1.1 200 OK\r\nX-Big: " + String(repeating: "a", count: 100_000) + "\r\n"
            if inOneWrite {
                socket.write(big + "Content-Length: 2\r\n\r\nok")
            } else {
                socket.write(big)
                usleep(200_000)
                socket.write("Content-Length: 2\r\n\r\nok")
            }
            return true
        }
        #expect(response.status == 502)
        #expect(response.text.contains("upstream response head too large"))
    }

    @Test func upstreamResetMidResponseClosesTheClient() throws {
        let upstream = try TestUpstream { _, socket in
            socket.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\npartial")
            usleep(50_000)
            socket.reset()
            return false
        }
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)])
        defer { proxy.stop() }
        let socket = try proxy.connect()
        defer { socket.close() }
        socket.write("GET /fn HTTP/1.1\r\nHost: a\r\n\r\n")
        let received = String(decoding: socket.readToEnd(), as: UTF8.self)
        #expect(received.hasPrefix("HTTP/1.1 200 OK"))
        #expect(received.hasSuffix("partial"))
        #expect(ProxyHarness.eventually { proxy.server.statistics().openClientConnections == 0 })
        #expect(proxy.server.statistics().openUpstreamConnections == 0)
    }

    @Test func slowClientHeadIs408() throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        var http = HTTPSettings()
        http.headerTimeoutMilliseconds = 300
        http.bodyTimeoutMilliseconds = 300
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)], http: http)
        defer { proxy.stop() }
        let socket = try proxy.connect()
        defer { socket.close() }
        socket.write("GET /fn HTTP/1.1\r\nHost: a\r\n")
        let response = try socket.readResponse()
        #expect(response.status == 408)
        #expect(response.header("connection")?.lowercased() == "close")
        #expect(socket.isClosedByPeer())
        // A slow body gets 408 too.
        let body = try proxy.connect()
        defer { body.close() }
        body.write("POST /fn HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc")
        #expect(try body.readResponse().status == 408)
        // An idle connection with no request is closed silently.
        let idle = try proxy.connect()
        defer { idle.close() }
        #expect(idle.readToEnd().isEmpty)
        #expect(upstream.requests.isEmpty)
    }

    @Test func idleKeepAliveConnectionsAreClosedAfterTheTimeout() throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        var http = HTTPSettings()
        http.keepAliveTimeoutMilliseconds = 300
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)], http: http)
        defer { proxy.stop() }
        let socket = try proxy.connect()
        defer { socket.close() }
        socket.write("GET /fn HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try socket.readResponse().status == 200)
        let started = Date()
        #expect(socket.isClosedByPeer())
        let waited = Date().timeIntervalSince(started)
        #expect(waited > 0.2 && waited < 2)
    }

    @Test func idleUpstreamConnectionsAreClosedAfterThePoolIdleTimeout() throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        var config = function(upstream: upstream)
        config.poolIdleTimeoutMilliseconds = 300
        let proxy = try ProxyHarness(functions: [config], workers: 1)
        defer { proxy.stop() }
        let socket = try proxy.connect()
        defer { socket.close() }
        socket.write("GET /fn HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try socket.readResponse().status == 200)
        // The upstream connection went back to the pool, idle; it is closed after 300 ms (swept every 100 ms).
        #expect(ProxyHarness.eventually(timeout: 1) { proxy.server.statistics().idleUpstreamConnections == 1 })
        let started = Date()
        #expect(ProxyHarness.eventually(timeout: 3) { proxy.server.statistics().openUpstreamConnections == 0 })
        let waited = Date().timeIntervalSince(started)
        #expect(waited > 0.1 && waited < 1.5)
        // The next request opens a new connection and still succeeds.
        socket.write("GET /fn HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try socket.readResponse().status == 200)
    }

    @Test func clientsThatLeaveEarlyLeakNothing() throws {
        let upstream = try TestUpstream { request, socket in
            usleep(200_000)
            return TestUpstream.echo(request, socket)
        }
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)])
        defer { proxy.stop() }
        // Warm up, then measure descriptors.
        _ = try proxy.send("GET /fn HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(ProxyHarness.eventually { proxy.server.statistics().openClientConnections == 0 })
        // Only this test's sockets (proxy and upstream ports): other suites run in parallel in this process.
        let ports: Set<Int> = [proxy.port, upstream.port]
        let before = openSocketCount(ports: ports)
        #expect(before > 0)
        for round in 0..<20 {
            let socket = try proxy.connect()
            switch round % 4 {
            case 0: socket.write("GET /fn HTTP/1.1\r\nHost: a\r\n\r\n")  // leaves while the upstream works
            case 1: socket.write("GET /fn HTTP/1.1\r\nHo")  // leaves mid-head
            case 2: socket.write("POST /fn HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc")  // mid-body
            default: break  // leaves at once
            }
            usleep(20_000)
            if round % 2 == 0 { socket.reset() } else { socket.close() }
        }
        #expect(ProxyHarness.eventually { proxy.server.statistics().openClientConnections == 0 })
        #expect(
            ProxyHarness.eventually {
                proxy.server.statistics().openUpstreamConnections
                    == proxy.server.statistics().idleUpstreamConnections
            })
        // The test upstream's own threads close their sockets asynchronously; allow them to settle.
        #expect(ProxyHarness.eventually(timeout: 6) { openSocketCount(ports: ports) <= before + 2 })
    }

    @Test func poolMaxTotalQueuesRequestsInOrder() throws {
        let upstream = try TestUpstream { request, socket in
            usleep(50_000)
            return TestUpstream.echo(request, socket)
        }
        defer { upstream.stop() }
        var config = function(upstream: upstream)
        config.poolMaxTotal = 1
        config.poolMaxIdle = 1
        let proxy = try ProxyHarness(functions: [config], workers: 1)
        defer { proxy.stop() }
        let sockets = try (0..<5).map { _ in try proxy.connect() }
        defer { sockets.forEach { $0.close() } }
        for (index, socket) in sockets.enumerated() { socket.write("GET /fn/\(index) HTTP/1.1\r\nHost: a\r\n\r\n") }
        for (index, socket) in sockets.enumerated() {
            let response = try socket.readResponse()
            #expect(response.status == 200)
            #expect(response.text.hasPrefix("GET /fn/\(index) "))
        }
        #expect(upstream.connectionCount == 1)
    }

    @Test func poolWaitIsBoundedByTheFunctionTimeout() throws {
        let upstream = try TestUpstream { request, socket in
            usleep(800_000)
            return TestUpstream.echo(request, socket)
        }
        defer { upstream.stop() }
        var config = function(upstream: upstream, timeoutMilliseconds: 2_000)
        config.poolMaxTotal = 1
        config.timeoutMilliseconds = 300
        let proxy = try ProxyHarness(functions: [config], workers: 1)
        defer { proxy.stop() }
        let first = try proxy.connect()
        defer { first.close() }
        first.write("GET /fn/1 HTTP/1.1\r\nHost: a\r\n\r\n")
        usleep(50_000)
        let second = try proxy.send("GET /fn/2 HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(second.status == 504)
    }
}
