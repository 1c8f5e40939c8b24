import Foundation
import Glibc
import Testing

@testable import TollgateProxy

/// Writes held until the end of an event batch (`Worker.write(owner:fd:out:_:_:)`) reach their sockets complete
/// and in order, also when the socket takes only part of them (the rest is queued as on backpressure).
@Suite(.serialized) struct ProxyHeldWritesTests {
    @Test func heldResponsesReachAClientThatReadsLateInOrder() throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)])
        defer { proxy.stop() }
        let socket = try Self.connectWithSmallProxySendBuffer(proxy)
        defer { socket.close() }
        // Nothing is read until every request is in, so the held responses (12 KiB each, under the holding limit)
        // meet a full socket and must queue the rest.
        let count = 24
        let bodies = (0..<count).map { index in
            "r\(index)-" + String(repeating: Character(UnicodeScalar(UInt8(97 + index % 26))), count: 12 * 1024)
        }
        let requests = bodies.map { body in
            "POST /fn/\(body.prefix(3)) HTTP/1.1\r\nHost: a\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        }
        let writer = Thread { _ = socket.write(requests.joined()) }
        writer.start()
        usleep(300_000)
        for (index, body) in bodies.enumerated() {
            let response = try socket.readResponse()
            #expect(response.status == 200, "response \(index)")
            // Compared as a flag: a mismatch of 12 KiB bodies would print both.
            let ownBody = response.text == body
            #expect(ownBody, "response \(index) is its own request's body, in order")
        }
        let statistics = proxy.server.statistics()
        #expect(statistics.heldWrites >= count)
        #expect(statistics.heldWriteRemainders > 0, "the socket took only part of some held responses")
    }

    @Test func aClosingAnswerHeldBehindASmallSocketArrivesWholeBeforeTheClose() throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)])
        defer { proxy.stop() }
        let socket = try Self.connectWithSmallProxySendBuffer(proxy)
        defer { socket.close() }
        // Small buffers at both ends: an answer of 15 KiB (held: under the 16 KiB limit) is more than the socket
        // takes at once, also while the client reads.
        var small: Int32 = 2048
        setsockopt(socket.fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        // Pipelined, the last one closing the connection: its close must wait until all of its answer has left.
        let bodies = (0..<4).map { "c\($0)-" + String(repeating: "z", count: 15 * 1024) }
        let requests = bodies.enumerated().map { index, body in
            let close = index == bodies.count - 1 ? "Connection: close\r\n" : ""
            return "POST /fn HTTP/1.1\r\nHost: a\r\n\(close)Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        }
        socket.write(requests.joined())
        usleep(300_000)
        for (index, body) in bodies.enumerated() {
            let response = try socket.readResponse()
            let whole = response.text == body
            #expect(response.status == 200)
            #expect(whole, "answer \(index) arrives whole")
        }
        #expect(socket.readToEnd().isEmpty, "then the proxy closes, with nothing more")
    }

    /// A client connection whose other end, the proxy's (in this process), has a 4 KiB send buffer (no
    /// autotuning). One request is answered first: the proxy has accepted the connection once it answers.
    static func connectWithSmallProxySendBuffer(_ proxy: ProxyHarness) throws -> TestSocket {
        let socket = try proxy.connect()
        socket.write("GET /fn/first HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try socket.readResponse().status == 200)
        let proxySide = try #require(peerDescriptor(of: socket.fd), "the proxy's end of the connection")
        var size: Int32 = 4096
        setsockopt(proxySide, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        return socket
    }

    /// The descriptor in this process at the other end of the TCP connection `fd` (both on loopback).
    static func peerDescriptor(of fd: Int32) -> Int32? {
        func address(_ fd: Int32, peer: Bool) -> (UInt32, UInt16)? {
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let result = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    peer ? getpeername(fd, $0, &length) : getsockname(fd, $0, &length)
                }
            }
            guard result == 0, address.sin_family == sa_family_t(AF_INET) else { return nil }
            return (address.sin_addr.s_addr, address.sin_port)
        }
        guard let local = address(fd, peer: false), let remote = address(fd, peer: true) else { return nil }
        for candidate in Int32(3)..<Int32(4096) where candidate != fd {
            guard let candidateLocal = address(candidate, peer: false), candidateLocal == remote,
                let candidateRemote = address(candidate, peer: true), candidateRemote == local
            else { continue }
            return candidate
        }
        return nil
    }

    @Test func manyClientsAtOnceEachGetTheirOwnAnswers() throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)], workers: 1)
        defer { proxy.stop() }
        let clients = 16
        let rounds = 40
        let failures = Counter()
        let finished = Counter()
        let problems = FirstNote()
        let start = DispatchSemaphore(value: 0)
        let threads = (0..<clients).map { client in
            Thread {
                defer { finished.add() }
                guard let socket = try? proxy.connect() else {
                    failures.add()
                    return problems.note("connect \(client)")
                }
                defer { socket.close() }
                start.wait()
                for round in 0..<rounds {
                    // Three pipelined requests per round, sent by all clients at about the same time: one batch of
                    // readiness holds many connections' answers.
                    let paths = (0..<3).map { "/fn/c\(client)/r\(round)/\($0)" }
                    socket.write(paths.map { "GET \($0) HTTP/1.1\r\nHost: a\r\n\r\n" }.joined())
                    for path in paths {
                        guard let response = try? socket.readResponse(), response.status == 200,
                            response.text.hasPrefix("GET \(path) ")
                        else {
                            failures.add()
                            return problems.note("client \(client) round \(round) \(path)")
                        }
                    }
                }
            }
        }
        threads.forEach { $0.start() }
        usleep(100_000)
        for _ in 0..<clients { start.signal() }
        while finished.value < clients { usleep(10_000) }
        #expect(failures.value == 0, "\(problems.value ?? "")")
    }
}
