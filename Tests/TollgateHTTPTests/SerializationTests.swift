import Testing
import TollgateHTTP

func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

@Suite struct SerializationTests {
    @Test func canonicalRequestIsWrittenByteForByte() throws {
        let bytes = crlf("POST /a?b=1 HTTP/1.1\nHost: ex\nX-A: 1\nContent-Length: 3\nAccept: */*\n\n")
        let (head, _) = try #require(parsedRequest(bytes))
        var out: [UInt8] = []
        head.write(into: &out)
        #expect(out == bytes)
    }

    @Test func hopByHopFieldsAreRemoved() throws {
        let (head, _) = try #require(
            parsedRequest(
                crlf(
                    "GET / HTTP/1.1\nHost: ex\nConnection: keep-alive, X-Secret\nKeep-Alive: timeout=5\n"
                        + "Proxy-Connection: keep-alive\nTE: trailers\nTrailer: X-T\nUpgrade: websocket\nX-Secret: 1\n"
                        + "X-Kept: 2\n\n")))
        var out: [UInt8] = []
        head.write(into: &out)
        #expect(text(out) == text(crlf("GET / HTTP/1.1\nHost: ex\nX-Kept: 2\n\n")))
    }

    @Test func extraAndRemovedHeaders() throws {
        let (head, _) = try #require(
            parsedRequest(crlf("GET / HTTP/1.1\nHost: ex\nX-Forwarded-For: 6.6.6.6\nExpect: 100-continue\n\n")))
        var extra = HTTPHeaders()
        extra.add(name: "X-Forwarded-For", value: "127.0.0.1")
        extra.add(name: "X-Request-Id", value: "r1")
        let badName = extra.add(name: "Bad Name", value: "x")
        let injected = extra.add(name: "X-Injected", value: "a\r\nHost: evil")
        #expect(!badName && !injected)
        var out: [UInt8] = []
        head.write(into: &out, extraHeaders: extra, removing: ["x-forwarded-for", "Expect"])
        #expect(text(out) == text(crlf("GET / HTTP/1.1\nHost: ex\nX-Forwarded-For: 127.0.0.1\nX-Request-Id: r1\n\n")))
    }

    @Test func framingIsNormalised() throws {
        let (dup, _) = try #require(
            parsedRequest(crlf("POST / HTTP/1.1\ncontent-length: 05\nHost: ex\nContent-Length: 5\n\n")))
        var out: [UInt8] = []
        dup.write(into: &out)
        #expect(text(out) == text(crlf("POST / HTTP/1.1\ncontent-length: 5\nHost: ex\n\n")))

        let (chunked, _) = try #require(
            parsedRequest(crlf("POST / HTTP/1.1\nTransfer-Encoding: chunked\nHost: ex\n\n")))
        out = []
        chunked.write(into: &out)
        #expect(text(out) == text(crlf("POST / HTTP/1.1\nHost: ex\nTransfer-Encoding: chunked\n\n")))
        // The proxy buffered the chunked body and forwards it with a length instead.
        out = []
        chunked.write(into: &out, framing: .contentLength(12))
        #expect(text(out) == text(crlf("POST / HTTP/1.1\nHost: ex\nContent-Length: 12\n\n")))
    }

    @Test func http10AndAbsoluteFormAreForwardedAsOriginForm11() throws {
        let (head, _) = try #require(parsedRequest(crlf("GET http://ex:81/p?q HTTP/1.0\nHost: ex:81\n\n")))
        var out: [UInt8] = []
        head.write(into: &out)
        #expect(text(out) == text(crlf("GET /p?q HTTP/1.1\nHost: ex:81\n\n")))
        out = []
        head.write(into: &out, target: Array("/rewritten".utf8))
        #expect(text(out).hasPrefix("GET /rewritten HTTP/1.1\r\n"))
    }

    @Test func responseWrite() throws {
        let (head, _) = try #require(
            parsedResponse(
                crlf(
                    "HTTP/1.0 200 Fine\nConnection: keep-alive\nKeep-Alive: timeout=1\nContent-Length: 7\nX-A: b\n\n")))
        var out: [UInt8] = []
        head.write(into: &out, framing: head.bodyFraming(requestMethod: .get))
        #expect(text(out) == text(crlf("HTTP/1.1 200 Fine\nContent-Length: 7\nX-A: b\n\n")))
        // HEAD answer: the length is kept, there is no body.
        out = []
        head.write(into: &out, framing: head.bodyFraming(requestMethod: .head))
        #expect(text(out) == text(crlf("HTTP/1.1 200 Fine\nContent-Length: 7\nX-A: b\n\n")))
        // Close-delimited upstream body re-encoded as chunked for a keep-alive client.
        let (close, _) = try #require(parsedResponse(crlf("HTTP/1.1 200 OK\nX: 1\n\n")))
        out = []
        close.write(into: &out, framing: .chunked)
        #expect(text(out) == text(crlf("HTTP/1.1 200 OK\nX: 1\nTransfer-Encoding: chunked\n\n")))
    }

    @Test func ownResponses() throws {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: "2")
        var out: [UInt8] = []
        HTTPResponseHead.writeHead(status: 400, reason: "Bad\r\nRequest", headers: headers, into: &out)
        #expect(
            text(out) == text(crlf("HTTP/1.1 400 BadRequest\nContent-Type: application/json\nContent-Length: 2\n\n")))
        let (parsed, _) = try #require(parsedResponse(out))
        #expect(parsed.status == 400 && parsed.contentLength == 2)
    }

    @Test func headersValueSemantics() {
        var h = HTTPHeaders([("A", " 1 "), ("b", "2"), ("A", "3")])
        #expect(h.count == 3)
        #expect(h.values(name: "a") == ["1", "3"])
        h.remove(name: "A")
        #expect(h.count == 1 && h.first(name: "B") == "2")
        #expect(HTTPHeaders([("X", "1")]) == HTTPHeaders([("X", "1")]))
        #expect(HTTPHeaders([("X", "1")]) != HTTPHeaders([("x", "1")]))
    }
}
