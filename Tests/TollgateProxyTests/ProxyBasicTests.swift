import Foundation
import Testing
import TollgateConfig

@testable import TollgateProxy

@Suite(.serialized) struct ProxyBasicTests {
    @Test func simpleGetIsForwardedWithProxyHeaders() throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)])
        defer { proxy.stop() }
        let response = try proxy.send(
            "GET /fn/hello?x=1 HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive, X-Secret\r\nX-Secret: 1\r\n"
                + "Keep-Alive: timeout=9\r\nX-Forwarded-For: 10.0.0.1\r\nUser-Agent: t\r\n\r\n")
        #expect(response.status == 200)
        let request = try #require(upstream.requests.first)
        #expect(request.method == "GET")
        #expect(request.target == "/fn/hello?x=1")
        #expect(request.version == "HTTP/1.1")
        #expect(request.header("host") == "example.com")
        #expect(request.header("user-agent") == "t")
        #expect(request.header("x-forwarded-for") == "10.0.0.1, 127.0.0.1")
        #expect(request.header("forwarded") == "for=127.0.0.1;proto=http;host=\"example.com\"")
        #expect(request.header("x-secret") == nil)
        #expect(request.header("keep-alive") == nil)
        #expect(request.header("connection") == nil)
        let id = try #require(request.header("x-request-id"))
        #expect(id.count == 24)
        #expect(response.header("x-request-id") == id)
        #expect(response.header("keep-alive") == nil)
        #expect(response.header("connection") == nil)
    }

    @Test func validIncomingRequestIDIsKeptAndInvalidReplaced() throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)])
        defer { proxy.stop() }
        _ = try proxy.send("GET /fn HTTP/1.1\r\nHost: a\r\nX-Request-Id: abc-123\r\n\r\n")
        _ = try proxy.send("GET /fn HTTP/1.1\r\nHost: a\r\nX-Request-Id: bad id\"\r\n\r\n")
        let requests = upstream.requests
        #expect(requests.count == 2)
        #expect(requests.first?.header("x-request-id") == "abc-123")
        #expect(requests.last?.header("x-request-id") != "bad id\"")
        #expect(requests.last?.header("x-request-id")?.count == 24)
    }

    @Test func keepAliveServesManyRequestsOnOneConnection() throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)])
        defer { proxy.stop() }
        let socket = try proxy.connect()
        defer { socket.close() }
        for index in 0..<200 {
            socket.write("GET /fn/\(index) HTTP/1.1\r\nHost: a\r\n\r\n")
            let response = try socket.readResponse()
            #expect(response.status == 200)
            #expect(response.text.hasPrefix("GET /fn/\(index) HTTP/1.1"))
        }
        #expect(upstream.requests.count == 200)
        // Upstream keep-alive: far fewer upstream connections than requests.
        #expect(upstream.connectionCount <= 2)
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)])
        defer { proxy.stop() }
        let socket = try proxy.connect()
        defer { socket.close() }
        var batch = ""
        for index in 0..<10 { batch += "GET /fn/\(index) HTTP/1.1\r\nHost: a\r\n\r\n" }
        batch += "GET /nothing HTTP/1.1\r\nHost: a\r\n\r\n"
        batch += "POST /fn/post HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
        socket.write(batch)
        for index in 0..<10 {
            let response = try socket.readResponse()
            #expect(response.status == 200)
            #expect(response.text.hasPrefix("GET /fn/\(index) "))
        }
        #expect(try socket.readResponse().status == 404)
        let last = try socket.readResponse()
        #expect(last.status == 200)
        #expect(last.text == "hello")
    }

    @Test func http10RequestGetsAnAnswerAndClose() throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)])
        defer { proxy.stop() }
        let socket = try proxy.connect()
        defer { socket.close() }
        socket.write("GET /fn/old HTTP/1.0\r\n\r\n")
        let response = try socket.readResponse()
        #expect(response.status == 200)
        #expect(response.header("connection")?.lowercased() == "close")
        #expect(socket.isClosedByPeer())
        #expect(upstream.requests.first?.version == "HTTP/1.1")
        // HTTP/1.1 requires Host: a 1.0 request without one gets the upstream's authority; one with Host keeps it.
        #expect(upstream.requests.first?.header("host") == "127.0.0.1:\(upstream.port)")
        let named = try proxy.send("GET /fn/named HTTP/1.0\r\nHost: shop.example\r\n\r\n")
        #expect(named.status == 200)
        #expect(upstream.requests.last?.header("host") == "shop.example")
        #expect(upstream.requests.filter { $0.header("host") != nil }.count == upstream.requests.count)
        // 1.0 keep-alive is honoured.
        let second = try proxy.connect()
        defer { second.close() }
        for _ in 0..<3 {
            second.write("GET /fn/ka HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let answer = try second.readResponse()
            #expect(answer.status == 200)
            #expect(answer.header("connection")?.lowercased() == "keep-alive")
        }
    }

    @Test func headRequestHasNoBody() throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)])
        defer { proxy.stop() }
        let socket = try proxy.connect()
        defer { socket.close() }
        socket.write("HEAD /fn/h HTTP/1.1\r\nHost: a\r\n\r\nGET /fn/after HTTP/1.1\r\nHost: a\r\n\r\n")
        let head = try socket.readResponse(head: true)
        #expect(head.status == 200)
        #expect(Int(head.header("content-length") ?? "") ?? 0 > 0)
        let next = try socket.readResponse()
        #expect(next.text.hasPrefix("GET /fn/after"))
    }

    @Test func routingAnswers404And405() throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [
            function("orders", route: "/function/orders", upstream: upstream, methods: ["GET", "POST"]),
            function("deep", route: "/function/orders/admin/", upstream: upstream, hosts: ["admin.local"]),
        ])
        defer { proxy.stop() }
        let missing = try proxy.send("GET /function/ordersx HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(missing.status == 404)
        #expect(missing.header("content-type") == "application/json")
        #expect(missing.text.contains("\"status\":404"))
        #expect(missing.text.contains("\"request_id\":\"\(missing.header("x-request-id") ?? "-")\""))
        let wrongMethod = try proxy.send("DELETE /function/orders/1 HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.header("allow") == "GET, POST")
        #expect(try proxy.send("GET /function/orders HTTP/1.1\r\nHost: a\r\n\r\n").status == 200)
        #expect(try proxy.send("GET /function/orders?q=1 HTTP/1.1\r\nHost: a\r\n\r\n").status == 200)
        // The longer route needs its host; elsewhere the shorter route (with its method list) applies.
        _ = try proxy.send("DELETE /function/orders/admin/x HTTP/1.1\r\nHost: Admin.Local:8080\r\n\r\n")
        #expect(upstream.requests.last?.method == "DELETE")
        #expect(try proxy.send("DELETE /function/orders/admin/x HTTP/1.1\r\nHost: other\r\n\r\n").status == 405)
        #expect(upstream.requests.count == 3)
    }

    @Test func stripPrefixAndBasePath() throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        var config = function(route: "/api/", upstream: upstream, stripPrefix: true)
        config.upstream.basePath = "/base"
        let proxy = try ProxyHarness(functions: [config])
        defer { proxy.stop() }
        _ = try proxy.send("GET /api/items?x=1 HTTP/1.1\r\nHost: a\r\n\r\n")
        _ = try proxy.send("GET /api HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(upstream.requests.map(\.target) == ["/base/items?x=1", "/base/"])
    }

    @Test func absoluteFormTargetIsRoutedOnItsPath() throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)])
        defer { proxy.stop() }
        let response = try proxy.send("GET http://example.com/fn/abs?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")
        #expect(response.status == 200)
        #expect(upstream.requests.first?.target == "/fn/abs?q=1")
        #expect(try proxy.send("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").status == 400)
    }

    @Test func acceptingPausesAtMaxConnections() throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        var http = HTTPSettings()
        http.maxConnections = 2
        let proxy = try ProxyHarness(functions: [function(upstream: upstream)], http: http, workers: 1)
        defer { proxy.stop() }
        let first = try proxy.connect()
        let second = try proxy.connect()
        defer { second.close() }
        first.write("GET /fn/1 HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try first.readResponse().status == 200)
        #expect(ProxyHarness.eventually { proxy.server.statistics().openClientConnections == 2 })
        let third = try proxy.connect()  // completes in the kernel backlog, not accepted yet
        defer { third.close() }
        third.write("GET /fn/3 HTTP/1.1\r\nHost: a\r\n\r\n")
        usleep(300_000)
        #expect(upstream.requests.count == 1)
        first.close()
        #expect(try third.readResponse().status == 200)
        #expect(upstream.requests.count == 2)
    }
}
