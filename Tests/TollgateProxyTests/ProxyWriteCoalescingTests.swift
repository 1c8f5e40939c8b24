import Foundation
import Glibc
import Synchronization
import Testing

@testable import TollgateProxy

/// Data segments a TCP socket has received so far (`tcp_info.tcpi_data_segs_in`, Linux 4.6+; offset 152 in
/// `linux/tcp.h`, which Glibc's `netinet/tcp.h` does not declare). Nil when the kernel does not report it.
private func dataSegmentsIn(_ fd: Int32) -> UInt32? {
    var info = [UInt8](repeating: 0, count: 256)
    var length = socklen_t(info.count)
    let tcpInfo: Int32 = 11  // TCP_INFO
    let result = info.withUnsafeMutableBytes { getsockopt(fd, Int32(IPPROTO_TCP), tcpInfo, $0.baseAddress, &length) }
    guard result == 0, length >= 156 else { return nil }
    return info.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 152, as: UInt32.self) }
}

/// The forwarded request head leaves with the body bytes that came in the same read (one `writev`, one segment
/// on a kept-alive upstream connection), and is still sent on its own when no body byte came with it.
@Suite(.serialized) struct ProxyWriteCoalescingTests {
    @Test func headAndBodyReadTogetherReachTheUpstreamInOneSegment() throws {
        // Segments received per request, measured on the upstream's side of the connection.
        let segments = Mutex<[UInt32?]>([])
        let upstream = try TestUpstream { request, socket in
            segments.withLock { $0.append(dataSegmentsIn(socket.fd)) }
            return TestUpstream.echo(request, socket)
        }
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)])
        defer { proxy.stop() }
        let socket = try proxy.connect()
        defer { socket.close() }

        // A GET opens the pooled upstream connection; the POSTs then reuse it.
        socket.write("GET /fn/warm HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try socket.readResponse().status == 200)
        let body = String(repeating: "j", count: 1024)
        for round in 0..<2 {
            usleep(50_000)
            socket.write("POST /fn/orders HTTP/1.1\r\nHost: a\r\nContent-Length: 1024\r\n\r\n" + body)
            let response = try socket.readResponse()
            #expect(response.status == 200, "round \(round)")
            #expect(response.text == body, "round \(round)")
        }
        #expect(upstream.connectionCount == 1)
        let counts = segments.withLock { $0 }
        try #require(counts.count == 3)
        guard let first = counts[0], let second = counts[1], let third = counts[2] else {
            return  // The kernel does not report tcpi_data_segs_in: nothing to measure.
        }
        #expect(second - first == 1, "head and body of the first POST in one segment")
        #expect(third - second == 1, "head and body of the second POST in one segment")
    }

    @Test(arguments: [
        // Head alone, body after a pause: the head must not wait for the body.
        ["POST /fn HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n", "hello"],
        // Chunked with an empty body in the head's read: head first, then the terminator.
        ["POST /fn HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"],
        // Chunked with data in the head's read, the rest later.
        ["POST /fn HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n", "2\r\nlo\r\n0\r\n\r\n"],
        // Part of a Content-Length body with the head, the rest later.
        ["POST /fn HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhe", "llo"],
    ])
    func bodyFramingSurvivesEverySplit(_ pieces: [String]) throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)])
        defer { proxy.stop() }
        let socket = try proxy.connect()
        defer { socket.close() }
        // Twice: a fresh upstream connection, then a pooled one (where the head can be held back).
        for _ in 0..<2 {
            for (index, piece) in pieces.enumerated() {
                if index > 0 { usleep(30_000) }
                socket.write(piece)
            }
            let response = try socket.readResponse()
            #expect(response.status == 200)
            let expected = pieces.joined().contains("hel") ? "hello" : ""
            #expect(response.text == expected)
        }
        #expect(upstream.requests.count == 2)
    }

    @Test func pipelinedPostsInOneWriteAreForwardedInOrder() throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)])
        defer { proxy.stop() }
        let socket = try proxy.connect()
        defer { socket.close() }
        var batch = ""
        for index in 0..<4 { batch += "POST /fn HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\nbody-\(index)" }
        socket.write(batch)
        for index in 0..<4 {
            let response = try socket.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "body-\(index)")
        }
    }
}
