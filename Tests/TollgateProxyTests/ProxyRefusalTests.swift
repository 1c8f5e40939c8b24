import Foundation
import Testing
import TollgateConfig

@testable import TollgateProxy

@Suite(.serialized) struct ProxyRefusalTests {
    static let smuggling: [String] = [
        "POST /fn HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST /fn HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n",
        "POST /fn HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde",
        "POST /fn HTTP/1.1\r\nHost: a\r\nContent-Length : 4\r\n\r\nabcd",
        "POST /fn HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
        "POST /fn HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
        "POST /fn HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
        "POST /fn HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n",
        "GET /fn HTTP/1.1\nHost: a\n\n",
        "GET /fn HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",
        "GET /fn HTTP/1.1\r\n\r\n",
        "GET /fn HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "G\u{0}T /fn HTTP/1.1\r\nHost: a\r\n\r\n",
    ]

    @Test(arguments: smuggling)
    func smugglingAndMalformedInputsAre400AndNeverReachTheUpstream(_ raw: String) throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)])
        defer { proxy.stop() }
        let socket = try proxy.connect()
        defer { socket.close() }
        socket.write(raw)
        let response = try socket.readResponse()
        #expect([400, 501].contains(response.status))
        #expect(response.header("connection")?.lowercased() == "close")
        #expect(response.text.contains("\"status\":\(response.status)"))
        #expect(socket.isClosedByPeer())
        usleep(20_000)
        #expect(upstream.requests.isEmpty)
        #expect(upstream.connectionCount == 0)
    }

    @Test(arguments: [
        "fffffffffffffffffff\r\n", "5\r\nhelloXX\r\n", "-5\r\nhello\r\n", "5 ;a\r\nhello\r\n0\r\n\r\n",
        "0\r\nBad Trailer: x\r\n\r\n",
    ])
    func malformedChunkedBodyIs400AndTheUpstreamGetsNoCompleteRequest(_ body: String) throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)])
        defer { proxy.stop() }
        let socket = try proxy.connect()
        defer { socket.close() }
        socket.write("POST /fn HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
        let response = try socket.readResponse()
        #expect(response.status == 400)
        #expect(socket.isClosedByPeer())
        usleep(20_000)
        #expect(upstream.requests.isEmpty)
    }

    @Test func limitsAnswer413And414And431() throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        var http = HTTPSettings()
        http.maxRequestLineBytes = 200
        http.maxHeaderBytes = 1024
        http.maxHeaderCount = 10
        let proxy = try ProxyHarness(functions: [function(upstream: upstream, maxBodyBytes: 1000)], http: http)
        defer { proxy.stop() }
        let tooBig = try proxy.send("POST /fn HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n")
        #expect(tooBig.status == 413)
        var chunks = "POST /fn HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        for _ in 0..<3 { chunks += "1f4\r\n" + String(repeating: "x", count: 500) + "\r\n" }
        let tooBigChunked = try proxy.send(chunks)
        #expect(tooBigChunked.status == 413)
        let longLine = try proxy.send("GET /fn/" + String(repeating: "a", count: 300) + " HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(longLine.status == 414)
        let bigHeader = try proxy.send(
            "GET /fn HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "b", count: 2000) + "\r\n\r\n")
        #expect(bigHeader.status == 431)
        var many = "GET /fn HTTP/1.1\r\nHost: a\r\n"
        for index in 0..<12 { many += "X-\(index): v\r\n" }
        #expect(try proxy.send(many + "\r\n").status == 431)
        #expect(upstream.requests.isEmpty)
    }
}
