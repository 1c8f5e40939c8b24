import Foundation
import Testing
import TollgateConfig

@testable import TollgateProxy

private func checksum(_ bytes: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return hash
}

private func pattern(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    var bytes = [UInt8](repeating: 0, count: count)
    for index in stride(from: 0, to: count, by: 8) {
        let value = generator.next() as UInt64
        withUnsafeBytes(of: value) { raw in
            for offset in 0..<min(8, count - index) { bytes[index + offset] = raw[offset] }
        }
    }
    return bytes
}

@Suite(.serialized) struct ProxyBodyTests {
    @Test func chunkedRequestBodyIsReframedAndForwarded() throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)])
        defer { proxy.stop() }
        let socket = try proxy.connect()
        defer { socket.close() }
        socket.write(
            "POST /fn HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\n")
        usleep(20_000)
        socket.write("5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n")
        let response = try socket.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "hello world")
        let request = try #require(upstream.requests.first)
        #expect(request.wasChunked)
        #expect(request.header("x-trailer") == nil)
        // The connection stays usable.
        socket.write("GET /fn/next HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try socket.readResponse().text.hasPrefix("GET /fn/next"))
    }

    @Test func chunkedResponseIsForwarded() throws {
        let upstream = try TestUpstream { request, socket in
            socket.write(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4;x=y\r\ndefg\r\n0\r\nT: 1\r\n\r\n")
        }
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)])
        defer { proxy.stop() }
        let socket = try proxy.connect()
        defer { socket.close() }
        for _ in 0..<3 {
            socket.write("GET /fn HTTP/1.1\r\nHost: a\r\n\r\n")
            let response = try socket.readResponse()
            #expect(response.status == 200)
            #expect(response.wasChunked)
            #expect(response.text == "abcdefg")
        }
        // An HTTP/1.0 client gets the decoded body, delimited by close.
        let old = try proxy.connect()
        defer { old.close() }
        old.write("GET /fn HTTP/1.0\r\n\r\n")
        let response = try old.readResponse()
        #expect(response.header("transfer-encoding") == nil)
        #expect(response.text == "abcdefg")
    }

    @Test func closeDelimitedResponseBecomesChunkedForHTTP11() throws {
        let upstream = try TestUpstream { _, socket in
            socket.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end")
            return false
        }
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)])
        defer { proxy.stop() }
        let socket = try proxy.connect()
        defer { socket.close() }
        socket.write("GET /fn HTTP/1.1\r\nHost: a\r\n\r\n")
        let response = try socket.readResponse()
        #expect(response.wasChunked)
        #expect(response.text == "until the end")
        socket.write("GET /fn HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try socket.readResponse().text == "until the end")
    }

    @Test func largeBodiesBothWaysKeepTheirChecksum() throws {
        let size = 5 * 1024 * 1024
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        var http = HTTPSettings()
        http.maxBodyBytes = 8 * 1024 * 1024
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)], http: http)
        defer { proxy.stop() }
        let body = pattern(size)
        let socket = try proxy.connect(timeoutSeconds: 20)
        defer { socket.close() }
        // Content-Length upload, echoed back (both directions stream through the proxy).
        let writer = Thread {
            socket.write(Array("PUT /fn/big HTTP/1.1\r\nHost: a\r\nContent-Length: \(size)\r\n\r\n".utf8) + body)
        }
        writer.start()
        let response = try socket.readResponse()
        #expect(response.status == 200)
        #expect(response.body.count == size)
        #expect(checksum(response.body) == checksum(body))
        // Chunked upload of the same bytes.
        let chunkedWriter = Thread {
            socket.write("POST /fn/big HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
            var offset = 0
            while offset < body.count {
                let piece = min(100_000, body.count - offset)
                socket.write(
                    Array(String(piece, radix: 16).utf8) + [13, 10] + body[offset..<(offset + piece)] + [13, 10])
                offset += piece
            }
            socket.write("0\r\n\r\n")
        }
        chunkedWriter.start()
        let second = try socket.readResponse()
        #expect(second.body.count == size)
        #expect(checksum(second.body) == checksum(body))
    }

    @Test func expectContinueGetsContinueOnlyWhenForwarding() throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream, maxBodyBytes: 100)])
        defer { proxy.stop() }
        let socket = try proxy.connect()
        defer { socket.close() }
        socket.write("POST /fn HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        var line = [UInt8](repeating: 0, count: 25)
        let count = line.withUnsafeMutableBytes { recv(socket.fd, $0.baseAddress, 25, Int32(MSG_WAITALL)) }
        #expect(count == 25)
        #expect(String(decoding: line, as: UTF8.self) == "HTTP/1.1 100 Continue\r\n\r\n")
        socket.write("hello")
        let response = try socket.readResponse()
        #expect(response.text == "hello")
        #expect(upstream.requests.first?.header("expect") == nil)
        let refused = try proxy.send(
            "POST /fn HTTP/1.1\r\nHost: a\r\nContent-Length: 500\r\nExpect: 100-continue\r\n\r\n")
        #expect(refused.status == 413)
        #expect(refused.interim.isEmpty)
    }
}

@Suite(.serialized) struct ProxyBackpressureTests {
    /// The upstream reads the body only after a pause longer than the body timeout: the proxy's own backpressure
    /// (not the client) stalls the upload, so the answer is the upstream's 200, not 408.
    @Test func slowReadingUpstreamDoesNotMakeTheClientTimeOut() throws {
        // The read delay is well above the body timeout, and the body timeout well above the time the client's
        // writer thread may be descheduled on a loaded machine (the proxy rightly answers 408 to a client that
        // really stalls: with 300 ms that could happen to this test's own writer).
        let upstream = try TestUpstream(readDelay: 3_000_000)
        defer { upstream.stop() }
        var http = HTTPSettings()
        http.bodyTimeoutMilliseconds = 1_000
        http.maxBodyBytes = 16 * 1024 * 1024
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)], http: http)
        defer { proxy.stop() }
        let size = 8 * 1024 * 1024
        let body = [UInt8](repeating: 0x61, count: size)
        let socket = try proxy.connect(timeoutSeconds: 20)
        defer { socket.close() }
        let writer = Thread {
            socket.write(Array("PUT /fn/slow HTTP/1.1\r\nHost: a\r\nContent-Length: \(size)\r\n\r\n".utf8) + body)
        }
        writer.start()
        let response = try socket.readResponse()
        #expect(response.status == 200)
        #expect(response.body.count == size)
    }
}
