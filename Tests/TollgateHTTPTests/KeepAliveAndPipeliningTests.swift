import Testing
import TollgateHTTP

@Suite struct KeepAliveAndPipeliningTests {
    @Test(arguments: [
        ("GET / HTTP/1.1\nHost: a\n\n", true),
        ("GET / HTTP/1.1\nHost: a\nConnection: close\n\n", false),
        ("GET / HTTP/1.1\nHost: a\nConnection: Keep-Alive, CLOSE\n\n", false),
        ("GET / HTTP/1.1\nHost: a\nConnection: x-foo\nConnection: close\n\n", false),
        ("GET / HTTP/1.1\nHost: a\nConnection: keep-alive\n\n", true),
        ("GET / HTTP/1.0\n\n", false),
        ("GET / HTTP/1.0\nConnection: keep-alive\n\n", true),
        ("GET / HTTP/1.0\nConnection: Upgrade, Keep-Alive\n\n", true),
        ("GET / HTTP/1.0\nConnection: keep-alive, close\n\n", false),
    ])
    func keepAlive(_ head: String, _ expected: Bool) throws {
        let (parsed, _) = try #require(parsedRequest(crlf(head)))
        #expect(parsed.keepAlive == expected)
    }

    @Test func pipelinedRequestsInOneBuffer() throws {
        let buffer = crlf(
            "GET /one HTTP/1.1\nHost: a\n\n"
                + "POST /two HTTP/1.1\nHost: a\nContent-Length: 5\n\nhello"
                + "POST /three HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n"
                + "GET /four HTTP/1.1\nHost: a\nConnection: close\n\n"
        )
        var parser = HTTPRequestParser()
        var offset = 0
        var seen: [(String, [UInt8])] = []
        var lastKeepAlive = true
        while offset < buffer.count {
            let rest = Array(buffer[offset...])
            guard case .complete(let head, let headLength) = parser.parseHead(rest) else {
                Issue.record("request at \(offset) did not parse")
                return
            }
            offset += headLength
            var body: [UInt8] = []
            switch head.bodyFraming {
            case .none, .untilClose: break
            case .contentLength(let n):
                body = Array(buffer[offset..<(offset + n)])
                offset += n
            case .chunked:
                var decoder = ChunkedDecoder()
                let progress = try decoder.decode(Array(buffer[offset...]), into: &body)
                #expect(progress.isDone)
                offset += progress.consumed
            }
            seen.append((head.path, body))
            lastKeepAlive = head.keepAlive
        }
        #expect(seen.map(\.0) == ["/one", "/two", "/three", "/four"])
        #expect(seen.map { String(decoding: $0.1, as: UTF8.self) } == ["", "hello", "abc", ""])
        #expect(!lastKeepAlive)
        #expect(offset == buffer.count)
    }

    @Test func secondRequestIncompleteIsNeedMore() throws {
        let buffer = crlf("GET /one HTTP/1.1\nHost: a\n\nGET /two HTTP/1.1\nHo")
        guard case .complete(_, let n) = HTTPRequestHead.parse(buffer) else {
            Issue.record("first request did not parse")
            return
        }
        #expect(isNeedMore(HTTPRequestHead.parse(Array(buffer[n...]))))
    }

    @Test func badSecondRequestDoesNotAffectFirst() throws {
        let buffer = crlf("GET /one HTTP/1.1\nHost: a\n\nGET /two HTTP/1.1\nX : y\n\n")
        guard case .complete(let first, let n) = HTTPRequestHead.parse(buffer) else {
            Issue.record("first request did not parse")
            return
        }
        #expect(first.path == "/one")
        #expect(requestError(Array(buffer[n...]))?.code == .whitespaceBeforeColon)
    }
}
