import Foundation
import Testing
import TollgateConfig

@testable import TollgateProxy

@Suite(.serialized) struct ProxyStressTests {
    /// 12 clients x 150 mixed requests (GET, Content-Length and chunked POSTs, pipelined pairs) through a small
    /// pool: every answer must be right and nothing may stay open afterwards.
    @Test func mixedConcurrentTrafficThroughASmallPool() throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        var config = function(upstream: upstream)
        config.poolMaxTotal = 3
        config.poolMaxIdle = 3
        let proxy = try ProxyHarness(functions: [config])
        defer { proxy.stop() }
        let failures = Counter()
        let finished = Counter()
        let problems = FirstNote()
        let threads = (0..<12).map { client in
            Thread {
                defer { finished.add() }
                func fail(_ text: String) {
                    failures.add()
                    problems.note(text)
                }
                guard let socket = try? proxy.connect() else { return fail("connect") }
                defer { socket.close() }
                for index in 0..<150 {
                    let body = "c\(client)-r\(index)-" + String(repeating: "x", count: index * 7 % 300)
                    switch index % 4 {
                    case 0:
                        socket.write("GET /fn/\(client)/\(index) HTTP/1.1\r\nHost: a\r\n\r\n")
                        guard let response = try? socket.readResponse(),
                            response.text.hasPrefix("GET /fn/\(client)/\(index) ")
                        else { return fail("get \(client) \(index)") }
                    case 1:
                        socket.write(
                            "POST /fn HTTP/1.1\r\nHost: a\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
                        guard let response = try? socket.readResponse(), response.text == body else {
                            return fail("post \(client) \(index)")
                        }
                    case 2:
                        let size = String(body.utf8.count, radix: 16)
                        socket.write(
                            "POST /fn HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\(size)\r\n\(body)\r\n0\r\n\r\n"
                        )
                        guard let response = try? socket.readResponse(), response.text == body else {
                            return fail("chunked \(client) \(index)")
                        }
                    default:
                        socket.write(
                            "GET /fn/p1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /fn HTTP/1.1\r\nHost: a\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                        )
                        guard let first = try? socket.readResponse(), first.text.hasPrefix("GET /fn/p1 "),
                            let second = try? socket.readResponse(), second.text == body
                        else { return fail("pipelined \(client) \(index)") }
                    }
                }
            }
        }
        threads.forEach { $0.start() }
        #expect(ProxyHarness.eventually(timeout: 60) { finished.value == 12 })
        #expect(failures.value == 0, "\(problems.value ?? "-")")
        #expect(upstream.connectionCount <= 6)  // max_total per worker, all kept idle between uses
        #expect(ProxyHarness.eventually { proxy.server.statistics().openUpstreamConnections <= 6 })
        let stats = proxy.server.statistics()
        #expect(stats.requests == 12 * 150 + 12 * 37)  // 37 pipelined pairs per client
    }
}

/// Keeps the first message noted from any thread.
final class FirstNote: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var first: String?
    func note(_ text: String) { lock.withLock { if first == nil { first = text } } }
    var value: String? { lock.withLock { first } }
}
