import Foundation
import Logging
import Synchronization
import Testing
import TollgateConfig

@testable import TollgateProxy

/// Blocks on a request header (phase 1), a body marker (phase 2) and a response header (phase 3).
private final class MarkerInspector: RequestInspector {
    let bodies = Mutex<[[UInt8]]>([])
    let finished = Mutex<[Int]>([])

    func begin(_ request: InspectedRequest) -> (any InspectionTransaction)? {
        Transaction(request: request, inspector: self)
    }

    final class Transaction: InspectionTransaction {
        let request: InspectedRequest
        let inspector: MarkerInspector
        init(request: InspectedRequest, inspector: MarkerInspector) {
            self.request = request
            self.inspector = inspector
        }

        func inspectRequestHead() -> InspectionVerdict {
            request.headers.contains { String(decoding: $0.name, as: UTF8.self).lowercased() == "x-attack" }
                ? .block(status: 403) : .allow
        }

        var wantsRequestBody: Bool { true }

        func inspectRequestBody(_ body: UnsafeRawBufferPointer, truncated: Bool) -> InspectionVerdict {
            let bytes = Array(body)
            inspector.bodies.withLock { $0.append(bytes) }
            return String(decoding: bytes, as: UTF8.self).contains("EVIL") ? .block(status: 403) : .allow
        }

        func inspectResponseHead(status: Int, headers: [InspectedHeader]) -> InspectionVerdict {
            headers.contains { String(decoding: $0.name, as: UTF8.self).lowercased() == "x-leak" }
                ? .block(status: 502) : .allow
        }

        func inspectResponseBody(_ chunk: UnsafeRawBufferPointer, isFinal: Bool) -> InspectionVerdict {
            String(decoding: chunk, as: UTF8.self).contains("LEAKBODY") ? .block(status: 502) : .allow
        }

        func finish(status: Int) { inspector.finished.withLock { $0.append(status) } }
    }
}

@Suite(.serialized) struct ProxyInspectionTests {
    private func start(_ inspector: MarkerInspector, upstream: TestUpstream, http: HTTPSettings = HTTPSettings())
        throws -> ProxyServer
    {
        let configuration = TollgateConfiguration(
            listen: ListenAddress(host: "127.0.0.1", port: 0), workers: 2, http: http,
            functions: [function(upstream: upstream)])
        let server = ProxyServer(configuration: configuration, logger: Logger(label: "test"), inspector: inspector)
        try server.start()
        return server
    }

    @Test func phasesCanBlockAndAllowedTrafficFlows() throws {
        let upstream = try TestUpstream { request, socket in
            if request.target.hasSuffix("/leakbody") {
                return socket.write("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nxxLEAKBODYxx")
            }
            if request.target.hasSuffix("/leak") {
                return socket.write("HTTP/1.1 200 OK\r\nX-Leak: secret\r\nContent-Length: 6\r\n\r\nsecret")
            }
            return TestUpstream.echo(request, socket)
        }
        defer { upstream.stop() }
        let inspector = MarkerInspector()
        let server = try start(inspector, upstream: upstream)
        defer { server.shutdownBlocking(gracePeriod: .milliseconds(100)) }
        let socket = try TestSocket.connect(port: server.listeningPort)
        defer { socket.close() }
        socket.write("GET /fn/a HTTP/1.1\r\nHost: a\r\nX-Attack: 1\r\n\r\n")
        let blocked = try socket.readResponse()
        #expect(blocked.status == 403)
        #expect(blocked.text.contains("\"status\":403"))
        // Keep-alive survives a head block without a body.
        socket.write("POST /fn/b HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\nfine body")
        #expect(try socket.readResponse().text == "fine body")
        socket.write("POST /fn/c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nEVIL\r\n0\r\n\r\n")
        #expect(try socket.readResponse().status == 403)
        socket.write("GET /fn/leak HTTP/1.1\r\nHost: a\r\n\r\n")
        let leak = try socket.readResponse()
        #expect(leak.status == 502)
        #expect(!leak.text.contains("secret"))
        #expect(upstream.requests.map(\.target) == ["/fn/b", "/fn/leak"])
        // A response body block aborts the connection: the body never reaches the client.
        let other = try TestSocket.connect(port: server.listeningPort)
        defer { other.close() }
        other.write("GET /fn/leakbody HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(!String(decoding: other.readToEnd(), as: UTF8.self).contains("LEAKBODY"))
        // Bodiless requests get phase 2 too, with an empty body (anomaly evaluation runs there).
        #expect(
            inspector.bodies.withLock { $0 }.filter { !$0.isEmpty } == [Array("fine body".utf8), Array("EVIL".utf8)])
        #expect(server.statistics().blockedRequests == 4)
        #expect(ProxyHarness.eventually { inspector.finished.withLock { $0.count } == 5 })
    }

    @Test func bodiesOverTheInspectionBufferAreInspectedTruncatedThenStreamed() throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        var http = HTTPSettings()
        http.inspectionBufferBytes = 1024
        let inspector = MarkerInspector()
        let server = try start(inspector, upstream: upstream, http: http)
        defer { server.shutdownBlocking(gracePeriod: .milliseconds(100)) }
        let body = String(repeating: "abcdefgh", count: 10_000)
        let socket = try TestSocket.connect(port: server.listeningPort)
        defer { socket.close() }
        socket.write("PUT /fn HTTP/1.1\r\nHost: a\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body)
        let response = try socket.readResponse()
        #expect(response.text == body)
        let inspected = try #require(inspector.bodies.withLock { $0.first })
        #expect(inspected.count >= 1024)
        #expect(inspected.count < body.utf8.count)
    }

    @Test func reloadSwapsTheInspector() throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let configuration = TollgateConfiguration(
            listen: ListenAddress(host: "127.0.0.1", port: 0), workers: 2, functions: [function(upstream: upstream)])
        let server = ProxyServer(configuration: configuration, logger: Logger(label: "test"))
        try server.start()
        defer { server.shutdownBlocking(gracePeriod: .milliseconds(100)) }
        let socket = try TestSocket.connect(port: server.listeningPort)
        defer { socket.close() }
        let attack = "GET /fn HTTP/1.1\r\nHost: a\r\nX-Attack: 1\r\n\r\n"
        socket.write(attack)
        #expect(try socket.readResponse().status == 200)
        try server.reload(configuration, inspector: MarkerInspector())
        #expect(
            ProxyHarness.eventually {
                guard let probe = try? TestSocket.connect(port: server.listeningPort) else { return false }
                defer { probe.close() }
                probe.write(attack)
                return (try? probe.readResponse().status) == 403
            })
        socket.write(attack)
        #expect(try socket.readResponse().status == 403)  // existing connections see the new inspector too
        try server.reload(configuration, inspector: nil)
        #expect(
            ProxyHarness.eventually {
                guard let probe = try? TestSocket.connect(port: server.listeningPort) else { return false }
                defer { probe.close() }
                probe.write(attack)
                return (try? probe.readResponse().status) == 200
            })
    }
}
