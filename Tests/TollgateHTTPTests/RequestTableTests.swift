import Testing
import TollgateHTTP

/// Table tests: invalid requests with their exact code and status; valid requests with their fields.
@Suite struct RequestTableTests {
    struct Invalid: Sendable, CustomTestStringConvertible {
        var head: String  // "\n" is written as CRLF
        var code: HTTPParseError.Code
        var status: Int
        var testDescription: String { "\(code): \(head.prefix(40).debugDescription)" }
    }

    static let invalid: [Invalid] = [
        Invalid(
            head: "GET / HTTP/1.1\nHost: a\nContent-Length: 1\nTransfer-Encoding: chunked\n\n",
            code: .conflictingContentLengthAndTransferEncoding, status: 400),
        Invalid(
            head: "GET / HTTP/1.1\nHost: a\nTransfer-Encoding: gzip\n\n", code: .invalidTransferEncoding, status: 400),
        Invalid(
            head: "GET / HTTP/1.1\nHost: a\nTransfer-Encoding: deflate, chunked\n\n",
            code: .unsupportedTransferEncoding, status: 501),
        Invalid(
            head: "GET / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked , \n\n", code: .invalidTransferEncoding,
            status: 400),
        Invalid(
            head: "GET / HTTP/1.1\nHost: a\nTransfer-Encoding: \"chunked\"\n\n", code: .invalidTransferEncoding,
            status: 400),
        Invalid(head: "GET / HTTP/1.0\nTransfer-Encoding: chunked\n\n", code: .transferEncodingInHTTP10, status: 400),
        Invalid(head: "GET / HTTP/1.1\nHost: a\nContent-Length: 12a\n\n", code: .invalidContentLength, status: 400),
        Invalid(
            head: "GET / HTTP/1.1\nHost: a\nContent-Length: 9007199254740993\n\n", code: .invalidContentLength,
            status: 400),
        Invalid(
            head: "GET / HTTP/1.1\nHost: a\nContent-Length: 3\nContent-Length: 03, 4\n\n",
            code: .duplicateContentLength, status: 400),
        Invalid(head: "GET / HTTP/1.1\n\n", code: .missingHost, status: 400),
        Invalid(head: "GET / HTTP/1.1\nHost: a\nhost: a\n\n", code: .multipleHost, status: 400),
        Invalid(head: "GET / HTTP/1.0\nHost: a\nHost: b\n\n", code: .multipleHost, status: 400),
        Invalid(head: "GET / HTTP/1.1\nHost: [zz]\n\n", code: .invalidHost, status: 400),
        Invalid(head: "GET / HTTP/1.1\nHost: a:8x\n\n", code: .invalidHost, status: 400),
        Invalid(head: "GET / HTTP/1.1\nHost: a%zz\n\n", code: .invalidHost, status: 400),
        Invalid(head: "GET / HTTP/1.1\nHost: :80\n\n", code: .invalidHost, status: 400),
        Invalid(head: "GET / HTTP/3.0\nHost: a\n\n", code: .unsupportedVersion, status: 505),
        Invalid(head: "GET / HTTP/1.10\nHost: a\n\n", code: .invalidRequestLine, status: 400),
        Invalid(head: "GET / HTTP/1.x\nHost: a\n\n", code: .invalidRequestLine, status: 400),
        Invalid(head: "GET /\n\n", code: .invalidRequestLine, status: 400),
        Invalid(head: " GET / HTTP/1.1\nHost: a\n\n", code: .invalidRequestLine, status: 400),
        Invalid(head: "GET\n\n", code: .invalidRequestLine, status: 400),
        Invalid(head: "GE\"T / HTTP/1.1\nHost: a\n\n", code: .invalidMethod, status: 400),
        Invalid(head: "GET /a\u{7F} HTTP/1.1\nHost: a\n\n", code: .invalidTarget, status: 400),
        Invalid(head: "GET http:/a HTTP/1.1\nHost: a\n\n", code: .invalidTarget, status: 400),
        Invalid(head: "GET http:///a HTTP/1.1\nHost: a\n\n", code: .invalidTarget, status: 400),
        Invalid(head: "GET http://u@h/a HTTP/1.1\nHost: a\n\n", code: .invalidTarget, status: 400),
        Invalid(head: "OPTIONS *x HTTP/1.1\nHost: a\n\n", code: .invalidTarget, status: 400),
        Invalid(head: "CONNECT a:443 HTTP/1.1\nHost: a:443\n\n", code: .unsupportedMethod, status: 501),
        Invalid(head: "GET / HTTP/1.1\nHost: a\nX (y): 1\n\n", code: .invalidHeaderName, status: 400),
        Invalid(head: "GET / HTTP/1.1\nHost: a\nX-Y : 1\n\n", code: .whitespaceBeforeColon, status: 400),
        Invalid(head: "GET / HTTP/1.1\nHost: a\nX-Y\t\t: 1\n\n", code: .whitespaceBeforeColon, status: 400),
        Invalid(head: "GET / HTTP/1.1\nHost: a\nX-Y 1\n\n", code: .invalidHeaderName, status: 400),
        Invalid(head: "GET / HTTP/1.1\nHost: a\nX-Y\n\n", code: .missingColon, status: 400),
        Invalid(head: "GET / HTTP/1.1\nHost: a\nX-Y: 1\n 2\n\n", code: .obsFold, status: 400),
        Invalid(head: "GET / HTTP/1.1\n\tHost: a\n\n", code: .obsFold, status: 400),
        Invalid(head: "GET / HTTP/1.1\nHost: a\nX-Y: a\u{1B}b\n\n", code: .invalidHeaderValue, status: 400),
        Invalid(head: "GET / HTTP/1.1\nHost: a\nX-Y: a\u{0}b\n\n", code: .nulByte, status: 400),
        Invalid(head: "GET / HTTP/1.1\nHost: a\nExpect: 100-continue, x\n\n", code: .expectationFailed, status: 417),
        Invalid(head: "GET / HTTP/1.1\nHost: a\nExpect:\n\n", code: .expectationFailed, status: 417),
    ]

    @Test(arguments: invalid)
    func rejects(_ c: Invalid) throws {
        let error = try #require(requestError(crlf(c.head)))
        #expect(error.code == c.code)
        #expect(error.status == c.status)
        #expect(error == HTTPParseError(c.code))
    }

    @Test func bareLineEndingsAreRejected() throws {
        let lf = Array("GET / HTTP/1.1\nHost: a\r\n\r\n".utf8)
        #expect(requestError(lf)?.code == .bareLF)
        let cr = Array("GET / HTTP/1.1\r\nHost: a\rX: 1\r\n\r\n".utf8)
        #expect(requestError(cr)?.code == .bareCR)
        let lfEnd = Array("GET / HTTP/1.1\r\nHost: a\r\n\n".utf8)
        #expect(requestError(lfEnd)?.code == .bareLF)
        let crInTarget = Array("GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        #expect(requestError(crInTarget)?.code == .bareCR)
    }

    @Test func validGetFields() throws {
        let (head, _) = try #require(
            parsedRequest(crlf("GET /p/a%20th?x=1&y HTTP/1.1\nHost: ex.com:8080\nX-A:  v1 \nx-a: v2\n\n")))
        #expect(head.method == .get)
        #expect(head.version == .http1_1)
        #expect(head.target == "/p/a%20th?x=1&y")
        #expect(head.targetForm == .origin)
        #expect(head.path == "/p/a%20th")
        #expect(head.query == "x=1&y")
        #expect(head.host == "ex.com:8080")
        #expect(head.headers.count == 3)
        #expect(head.headers.first(name: "X-A") == "v1")
        #expect(head.headers.values(name: "x-a") == ["v1", "v2"])
        #expect(head.headers.contains(name: "HOST"))
        #expect(!head.headers.contains(name: "Content-Length"))
        let pairs = head.headers.map { "\($0.name)=\($0.value)" }
        #expect(pairs == ["Host=ex.com:8080", "X-A=v1", "x-a=v2"])
        #expect(head.bodyFraming == .none)
        #expect(head.keepAlive)
        #expect(!head.expectsContinue)
    }

    @Test func emptyQueryAndNoQuery() throws {
        let (a, _) = try #require(parsedRequest(crlf("GET /x? HTTP/1.1\nHost: a\n\n")))
        #expect(a.query == "")
        #expect(a.path == "/x")
        let (b, _) = try #require(parsedRequest(crlf("GET /x HTTP/1.1\nHost: a\n\n")))
        #expect(b.query == nil)
    }

    @Test func absoluteFormKeepsAuthority() throws {
        let (head, _) = try #require(parsedRequest(crlf("GET HTTPS://up.example:8443?q HTTP/1.1\nHost: other\n\n")))
        #expect(head.targetForm == .absolute)
        #expect(head.targetAuthority == "up.example:8443")
        #expect(head.host == "up.example:8443")
        #expect(head.hostHeader == "other")
        #expect(head.path == "/")
        #expect(head.query == "q")
    }

    @Test func asteriskFormForOptions() throws {
        let (head, _) = try #require(parsedRequest(crlf("OPTIONS * HTTP/1.1\nHost: a\n\n")))
        #expect(head.targetForm == .asterisk)
        #expect(head.method == .options)
        #expect(head.path == "*")
    }

    @Test func methods() throws {
        for (name, method) in [
            ("GET", HTTPMethod.get), ("HEAD", .head), ("POST", .post), ("PUT", .put),
            ("DELETE", .delete), ("OPTIONS", .options), ("TRACE", .trace), ("PATCH", .patch),
            ("PROPFIND", .other("PROPFIND")), ("get", .other("get")),
        ] {
            let (head, _) = try #require(parsedRequest(crlf("\(name) / HTTP/1.1\nHost: a\n\n")))
            #expect(head.method == method)
            #expect(head.method.name == name)
            #expect(HTTPMethod(name) == method)
        }
    }

    @Test func contentLengthForms() throws {
        let cases: [(String, Int)] = [("0", 0), ("42", 42), ("007", 7), ("5, 5", 5), ("9007199254740992", 1 << 53)]
        for (value, n) in cases {
            let (head, _) = try #require(parsedRequest(crlf("POST / HTTP/1.1\nHost: a\nContent-Length: \(value)\n\n")))
            #expect(head.bodyFraming == .contentLength(n))
        }
        let (dup, _) = try #require(
            parsedRequest(crlf("POST / HTTP/1.1\nHost: a\nContent-Length: 5\nContent-Length: 5\n\n")))
        #expect(dup.bodyFraming == .contentLength(5))
    }

    @Test func chunkedIsCaseInsensitive() throws {
        for value in ["chunked", "CHUNKED", "Chunked", " chunked "] {
            let (head, _) = try #require(
                parsedRequest(crlf("POST / HTTP/1.1\nHost: a\nTransfer-Encoding: \(value)\n\n")))
            #expect(head.bodyFraming == .chunked)
        }
    }

    @Test func expectContinue() throws {
        let (a, _) = try #require(
            parsedRequest(crlf("POST / HTTP/1.1\nHost: a\nExpect: 100-Continue\nContent-Length: 3\n\n")))
        #expect(a.expectsContinue)
        // RFC 9110 section 10.1.1: ignored in HTTP/1.0.
        let (b, _) = try #require(parsedRequest(crlf("POST / HTTP/1.0\nExpect: 100-continue\nContent-Length: 3\n\n")))
        #expect(!b.expectsContinue)
    }

    @Test func hostForms() throws {
        for host in ["a", "a.b.c", "127.0.0.1", "127.0.0.1:80", "[::1]", "[::1]:8080", "x-y_z~", "a%41", ""] {
            let (head, _) = try #require(parsedRequest(crlf("GET / HTTP/1.1\nHost: \(host)\n\n")), "\(host)")
            #expect(head.host == host)
        }
    }

    @Test func obsTextInValueIsKept() throws {
        var bytes = crlf("GET / HTTP/1.1\nHost: a\nX-A: caf")
        bytes += [0xC3, 0xA9, 0x0D, 0x0A, 0x0D, 0x0A]
        let (head, _) = try #require(parsedRequest(bytes))
        #expect(head.headers.first(name: "x-a") == "café")
        #expect(Array(try #require(head.headers.firstBytes(name: "X-A"))) == [0x63, 0x61, 0x66, 0xC3, 0xA9])
    }

    @Test func leadingEmptyLinesAreSkippedButCounted() throws {
        let bytes = crlf("\n\nGET / HTTP/1.1\nHost: a\n\n")
        let (head, n) = try #require(parsedRequest(bytes))
        #expect(n == bytes.count)
        #expect(head.rawBytes.first == UInt8(ascii: "G"))
        #expect(requestError(crlf("\n\n\nGET / HTTP/1.1\nHost: a\n\n"))?.code == .invalidRequestLine)
    }

    @Test func errorStatusesAreStable() {
        #expect(HTTPParseError.Code.requestLineTooLong.status == 414)
        #expect(HTTPParseError.Code.headerTooLarge.status == 431)
        #expect(HTTPParseError.Code.tooManyHeaders.status == 431)
        #expect(HTTPParseError.Code.unsupportedTransferEncoding.status == 501)
        #expect(HTTPParseError.Code.unsupportedVersion.status == 505)
        #expect(HTTPParseError.Code.expectationFailed.status == 417)
        #expect(HTTPParseError.Code.bareLF.status == 400)
        #expect(HTTPParseError.Code.invalidStatusLine.status == 502)
    }
}
