import Foundation
import Testing
import TollgateConfig

@testable import TollgateProxy

@Suite(.serialized) struct ProxyFramingTests {
    @Test func informationalAndBodylessResponses() throws {
        let upstream = try TestUpstream { request, socket in
            switch request.target {
            case "/fn/103":
                return socket.write(
                    "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            case "/fn/204":
                return socket.write("HTTP/1.1 204 No Content\r\n\r\n")
            case "/fn/304":
                return socket.write("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n")
            default:
                return TestUpstream.echo(request, socket)
            }
        }
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)])
        defer { proxy.stop() }
        let socket = try proxy.connect()
        defer { socket.close() }
        socket.write("GET /fn/103 HTTP/1.1\r\nHost: a\r\n\r\n")
        let hinted = try socket.readResponse()
        #expect(hinted.interim == [103])
        #expect(hinted.text == "ok")
        socket.write("GET /fn/204 HTTP/1.1\r\nHost: a\r\n\r\nGET /fn/304 HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try socket.readResponse().status == 204)
        let notModified = try socket.readResponse()
        #expect(notModified.status == 304)
        #expect(notModified.header("etag") == "\"x\"")
        socket.write("GET /fn/last HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try socket.readResponse().text.hasPrefix("GET /fn/last"))
    }

    @Test func upstreamThatClosesAfterEachResponseStillServesEveryRequest() throws {
        let upstream = try TestUpstream { request, socket in
            _ = TestUpstream.echo(request, socket)
            return false  // closes without saying so
        }
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)], workers: 1)
        defer { proxy.stop() }
        let socket = try proxy.connect()
        defer { socket.close() }
        for index in 0..<20 {
            socket.write("GET /fn/\(index) HTTP/1.1\r\nHost: a\r\n\r\n")
            let response = try socket.readResponse()
            #expect(response.status == 200)
            usleep(index % 2 == 0 ? 0 : 5_000)
        }
        #expect(upstream.requests.count == 20)
    }

    @Test func upstreamConnectionCloseIsNotPooledAndClientKeepsAlive() throws {
        let upstream = try TestUpstream { request, socket in
            socket.write("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")
            return false
        }
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)], workers: 1)
        defer { proxy.stop() }
        let socket = try proxy.connect()
        defer { socket.close() }
        for _ in 0..<5 {
            socket.write("GET /fn HTTP/1.1\r\nHost: a\r\n\r\n")
            let response = try socket.readResponse()
            #expect(response.text == "ok")
            #expect(response.header("connection") == nil)
        }
        #expect(upstream.connectionCount == 5)
        #expect(ProxyHarness.eventually { proxy.server.statistics().openUpstreamConnections == 0 })
    }
}
