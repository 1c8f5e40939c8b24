import Testing
import TollgateHTTP

@Suite struct ResponseTests {
    @Test func statusLineForms() throws {
        let (ok, n) = try #require(parsedResponse(crlf("HTTP/1.1 200 OK\nContent-Length: 2\n\nhi")))
        #expect(ok.status == 200 && ok.reason == "OK" && ok.version == .http1_1)
        #expect(n == 38)
        let (empty, _) = try #require(parsedResponse(crlf("HTTP/1.1 204 \n\n")))
        #expect(empty.status == 204 && empty.reason.isEmpty)
        let (noSP, _) = try #require(parsedResponse(crlf("HTTP/1.0 404\n\n")))
        #expect(noSP.status == 404 && noSP.version == .http1_0)
        let (long, _) = try #require(parsedResponse(crlf("HTTP/1.1 500 Internal  Server\tError\n\n")))
        #expect(long.reason == "Internal  Server\tError")
    }

    @Test(arguments: [
        "HTTP/1.1 20 OK\n\n", "HTTP/1.1 2000 OK\n\n", "HTTP/1.1 099 X\n\n", "HTTP/1.1  200 OK\n\n",
        "HTTP/2 200 OK\n\n", "http/1.1 200 OK\n\n", "HTTP/1.1 2x0 OK\n\n", "HTTP/1.1 200 O\u{1}K\n\n",
        "HTTP/1.1\n\n", "ICY 200 OK\n\n",
    ])
    func invalidStatusLines(_ head: String) throws {
        let error = try #require(responseError(crlf(head)))
        #expect(error.code == .invalidStatusLine)
        #expect(error.status == 502)
    }

    @Test func responseFieldRulesMatchRequests() {
        #expect(responseError(crlf("HTTP/1.1 200 OK\nX : 1\n\n"))?.code == .whitespaceBeforeColon)
        #expect(responseError(crlf("HTTP/1.1 200 OK\nX: 1\n 2\n\n"))?.code == .obsFold)
        #expect(responseError(Array("HTTP/1.1 200 OK\r\nX: 1\n\r\n".utf8))?.code == .bareLF)
        #expect(
            responseError(crlf("HTTP/1.1 200 OK\nContent-Length: 1\nContent-Length: 2\n\n"))?.code
                == .duplicateContentLength)
        #expect(responseError(crlf("HTTP/1.1 200 OK\nContent-Length: -1\n\n"))?.code == .invalidContentLength)
        #expect(
            responseError(crlf("HTTP/1.1 200 OK\nContent-Length: 1\nTransfer-Encoding: chunked\n\n"))?.code
                == .conflictingContentLengthAndTransferEncoding)
        #expect(
            responseError(crlf("HTTP/1.1 200 OK\nTransfer-Encoding: chunked, gzip\n\n"))?.code
                == .invalidTransferEncoding)
        #expect(
            responseError(crlf("HTTP/1.1 200 OK\nTransfer-Encoding: gzip, chunked\n\n"))?.code
                == .unsupportedTransferEncoding)
    }

    @Test func responseHeadLimit() throws {
        var limits = HTTPParserLimits()
        limits.maxResponseHeaderBytes = 40
        let bytes = crlf("HTTP/1.1 200 OK\nX-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n\n")
        guard case .failure(let error) = HTTPResponseHead.parse(bytes, limits: limits) else {
            Issue.record("expected failure")
            return
        }
        #expect(error.code == .responseHeaderTooLarge)
        #expect(error.status == 502)
    }

    struct FramingCase: Sendable, CustomTestStringConvertible {
        var head: String
        var method: HTTPMethod
        var framing: HTTPBodyFraming
        var testDescription: String { "\(method) \(head.prefix(20)) -> \(framing)" }
    }

    static let framingCases: [FramingCase] = [
        FramingCase(head: "HTTP/1.1 200 OK\nContent-Length: 10\n\n", method: .get, framing: .contentLength(10)),
        FramingCase(head: "HTTP/1.1 200 OK\nContent-Length: 10\n\n", method: .head, framing: .none),
        FramingCase(head: "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n", method: .head, framing: .none),
        FramingCase(head: "HTTP/1.1 204 No Content\nContent-Length: 10\n\n", method: .get, framing: .none),
        FramingCase(head: "HTTP/1.1 304 Not Modified\nContent-Length: 10\n\n", method: .get, framing: .none),
        FramingCase(head: "HTTP/1.1 100 Continue\n\n", method: .post, framing: .none),
        FramingCase(head: "HTTP/1.1 103 Early Hints\nLink: </a>\n\n", method: .get, framing: .none),
        FramingCase(head: "HTTP/1.1 200 OK\nTransfer-Encoding: Chunked\n\n", method: .post, framing: .chunked),
        FramingCase(head: "HTTP/1.1 200 OK\n\n", method: .get, framing: .untilClose),
        FramingCase(head: "HTTP/1.0 200 OK\n\n", method: .get, framing: .untilClose),
        FramingCase(head: "HTTP/1.1 200 OK\nTransfer-Encoding: gzip\n\n", method: .get, framing: .untilClose),
        FramingCase(head: "HTTP/1.1 404 Not Found\nContent-Length: 0\n\n", method: .delete, framing: .contentLength(0)),
    ]

    @Test(arguments: framingCases)
    func framing(_ c: FramingCase) throws {
        let (head, _) = try #require(parsedResponse(crlf(c.head)))
        #expect(head.bodyFraming(requestMethod: c.method) == c.framing)
    }

    @Test func interimResponseThenFinalInOneBuffer() throws {
        let bytes = crlf("HTTP/1.1 100 Continue\n\nHTTP/1.1 201 Created\nContent-Length: 2\n\nok")
        var parser = HTTPResponseParser()
        guard case .complete(let interim, let n1) = parser.parseHead(bytes) else {
            Issue.record("no interim head")
            return
        }
        #expect(interim.isInformational && interim.status == 100)
        #expect(interim.bodyFraming(requestMethod: .post) == .none)
        let rest = Array(bytes[n1...])
        guard case .complete(let final, let n2) = parser.parseHead(rest) else {
            Issue.record("no final head")
            return
        }
        #expect(final.status == 201 && !final.isInformational)
        #expect(final.bodyFraming(requestMethod: .post) == .contentLength(2))
        #expect(Array(rest[n2...]) == Array("ok".utf8))
    }

    @Test func responseKeepAlive() throws {
        let cases: [(String, HTTPMethod, Bool, Bool)] = [
            ("HTTP/1.1 200 OK\nContent-Length: 0\n\n", .get, true, true),
            ("HTTP/1.1 200 OK\nConnection: close\nContent-Length: 0\n\n", .get, false, false),
            ("HTTP/1.0 200 OK\nContent-Length: 0\n\n", .get, false, false),
            ("HTTP/1.0 200 OK\nConnection: Keep-Alive\nContent-Length: 0\n\n", .get, true, true),
            ("HTTP/1.1 200 OK\n\n", .get, true, false),  // close-delimited
            ("HTTP/1.1 200 OK\n\n", .head, true, true),
        ]
        for (text, method, keepAlive, reusable) in cases {
            let (head, _) = try #require(parsedResponse(crlf(text)))
            #expect(head.keepAlive == keepAlive, "\(text)")
            #expect(head.isReusable(requestMethod: method) == reusable, "\(text)")
        }
    }

    @Test func incrementalResponseParsing() throws {
        let bytes = crlf("HTTP/1.1 200 OK\nContent-Type: text/plain\nContent-Length: 5\n\n")
        var parser = HTTPResponseParser()
        for n in 1..<bytes.count {
            #expect(isNeedMore(parser.parseHead(Array(bytes[0..<n]))), "prefix \(n)")
        }
        guard case .complete(let head, let len) = parser.parseHead(bytes) else {
            Issue.record("expected complete")
            return
        }
        #expect(len == bytes.count)
        #expect(head.headers.first(name: "content-type") == "text/plain")
        #expect(head.contentLength == 5)
    }
}
