import Testing
import TollgateConfig
import TollgateHTTP

@testable import TollgateProxy

private func withBytes<T>(_ text: String, _ body: (UnsafeRawBufferPointer) -> T) -> T {
    Array(text.utf8).withUnsafeBytes(body)
}

@Suite struct RouterTests {
    private func router() throws -> Router {
        let upstream = UpstreamAddress(host: "127.0.0.1", port: 9)
        return try Router(
            configuration: TollgateConfiguration(
                listen: ListenAddress(host: "127.0.0.1", port: 0),
                functions: [
                    FunctionConfiguration(name: "root", route: "/", upstream: upstream),
                    FunctionConfiguration(name: "orders", route: "/function/orders/", upstream: upstream),
                    FunctionConfiguration(
                        name: "admin", route: "/function/orders/admin", hosts: ["admin.local"], methods: ["GET"],
                        upstream: upstream),
                ]))
    }

    @Test(arguments: [
        ("/", "a", "GET", "root"),
        ("/function/orders", "a", "GET", "orders"),
        ("/function/orders/", "a", "GET", "orders"),
        ("/function/orders?x", "a", "GET", "orders"),
        ("/function/ordersx", "a", "GET", "root"),
        ("/function/orders/admin/1", "admin.local", "GET", "admin"),
        ("/function/orders/admin/1", "ADMIN.local", "GET", "admin"),
        ("/function/orders/admin/1", "other", "GET", "orders"),
        ("/function/orders/admin/1", "admin.local", "POST", "405 admin"),
        ("/function/orders/administrator", "admin.local", "GET", "orders"),
    ])
    func longestPrefixOnSegmentBoundary(target: String, host: String, method: String, expected: String) throws {
        let router = try router()
        let result = withBytes(target) { target in
            withBytes(host) { host in
                withBytes(method) { method -> String in
                    switch router.match(target: target, host: host, method: method) {
                    case .route(let route): return route.functionName
                    case .methodNotAllowed(let route): return "405 \(route.functionName)"
                    case .notFound: return "404"
                    }
                }
            }
        }
        #expect(result == expected)
    }

    @Test func unresolvableUpstreamIsRefusedAtLoad() {
        #expect(throws: ProxyError(.upstreamUnresolvable, "")) {
            try Router(
                configuration: TollgateConfiguration(
                    listen: ListenAddress(host: "127.0.0.1", port: 0),
                    functions: [
                        FunctionConfiguration(
                            name: "x", route: "/x", upstream: UpstreamAddress(host: "no-such-host.invalid", port: 1))
                    ]))
        }
    }
}

@Suite struct ChunkScannerTests {
    /// Scans `input` split at every position; returns the data and where the body ended.
    private func scan(_ input: String, split: Int) -> (data: String, end: Int?, error: Bool) {
        let bytes = Array(input.utf8)
        var scanner = ChunkScanner()
        var data: [UInt8] = []
        for (start, end) in [(0, split), (split, bytes.count)] {
            let piece = Array(bytes[start..<end])
            var position = 0
            while true {
                let (event, next) = piece.withUnsafeBytes { scanner.next($0, from: position) }
                switch event {
                case .data(let range):
                    data += piece[range]
                    position = next
                    continue
                case .needMore:
                    break
                case .done:
                    return (String(decoding: data, as: UTF8.self), start + next, false)
                case .error:
                    return (String(decoding: data, as: UTF8.self), nil, true)
                }
                break
            }
        }
        return (String(decoding: data, as: UTF8.self), nil, false)
    }

    @Test func decodesAtEverySplit() {
        let body = "3\r\nabc\r\n4;x=y\r\ndefg\r\n0\r\nT: 1\r\n\r\nNEXT"
        for split in 0...body.utf8.count {
            let result = scan(body, split: split)
            #expect(result.data == "abcdefg")
            #expect(result.end == body.utf8.count - 4)
            #expect(!result.error)
        }
    }

    @Test(arguments: ["x\r\n", "3\r\nabcX\r\n", "1000000000000000\r\n", "3\nabc\r\n", "0\r\n\r\r", "\r\n"])
    func refusesBadFraming(_ input: String) {
        #expect(scan(input, split: 0).error)
    }
}

@Suite struct ResponseHeadParserTests {
    private func parse(_ text: String) -> ResponseHead? {
        var fields = ContiguousArray<HeaderField>()
        return withBytes(text) { bytes in
            guard case .complete(let head, _) = ResponseHeadParser.parse(bytes, fields: &fields) else { return nil }
            return head
        }
    }

    @Test func parsesFramingAndConnection() throws {
        let head = try #require(parse("HTTP/1.1 201 Created\r\nContent-Length: 12\r\nConnection: close\r\n\r\n"))
        #expect(head.status == 201)
        #expect(head.contentLength == 12)
        #expect(!head.keepAlive)
        let chunked = try #require(
            parse("HTTP/1.0 200\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n"))
        #expect(chunked.chunked)
        #expect(chunked.keepAlive)
        #expect(chunked.minorVersion == 0)
    }

    @Test(arguments: [
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/2.0 200 OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX: a\u{1}b\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
    ])
    func refusesGarbledHeads(_ text: String) {
        #expect(parse(text) == nil)
    }
}

@Suite struct RequestIDTests {
    @Test func generatedIDsAreUniqueAndWellFormed() {
        var generator = RequestIDGenerator(worker: 3)
        var seen = Set<[UInt8]>()
        var id: [UInt8] = []
        for _ in 0..<1000 {
            generator.next(into: &id)
            #expect(id.count == 24)
            #expect(id.withUnsafeBytes { RequestIDGenerator.isAcceptable($0) })
            seen.insert(id)
        }
        #expect(seen.count == 1000)
    }

    @Test func idsAreHexPrefixWorkerAndCounter() {
        var generator = RequestIDGenerator(worker: 0x3c)
        var first: [UInt8] = []
        var second: [UInt8] = []
        generator.next(into: &first)
        generator.next(into: &second)
        let hex = Set("0123456789abcdef".utf8)
        #expect(first.allSatisfy { hex.contains($0) })
        #expect(String(decoding: first[12..<14], as: UTF8.self) == "3c")
        #expect(String(decoding: first[14...], as: UTF8.self) == "0000000001")
        #expect(String(decoding: second[14...], as: UTF8.self) == "0000000002")
        #expect(first[0..<12] == second[0..<12])
    }

    @Test(arguments: [
        ("abc-123_x.y:z", true), ("", false), ("a b", false), ("a\"b", false),
        (String(repeating: "a", count: 129), false),
    ])
    func incomingIDsAreCheckedBeforeUse(_ id: String, _ acceptable: Bool) {
        #expect(withBytes(id) { RequestIDGenerator.isAcceptable($0) } == acceptable)
    }
}

@Suite struct RequestHeadFieldRangeTests {
    /// The proxy's field ranges (from `HTTPHeaders.forEachFieldRange`) are exactly the ones TollgateHTTP's
    /// accessors report, and each field is classified.
    @Test(arguments: [
        "GET /a HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n\r\n",
        "GET /a HTTP/1.1\r\nHost:a\r\nX-Tabs:\t value \t\r\nX-Empty:\r\nX-Spaces:   \r\n\r\n",
        "GET http://a.example/p?q=1 HTTP/1.1\r\nHost: a.example\r\nX-Colon: a:b:c\r\n\r\n",
        "\r\nGET /lead HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /old HTTP/1.0\r\n\r\n",
        "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nX-Obs: caf\u{e9}\r\n\r\nabc",
    ])
    func rangesMatchParser(text: String) throws {
        var parser = HTTPRequestParser()
        let bytes = Array(text.utf8)
        let result = bytes.withUnsafeBytes { parser.parseHead($0) }
        guard case .complete(let parsed, _) = result else {
            Issue.record("parser refused \(text.debugDescription)")
            return
        }
        let headers = parsed.headers
        var fields = ContiguousArray<HeaderField>()
        let head = try #require(RequestHead(parsed, fields: &fields))
        #expect(head.fieldCount == headers.count)
        for index in 0..<headers.count {
            let name = headers.nameBytes(at: index)
            let value = headers.valueBytes(at: index)
            #expect(fields[index].name == name.startIndex..<name.endIndex)
            #expect(fields[index].value == value.startIndex..<value.endIndex)
            let kind = parsed.rawBytes.withUnsafeBytes { KnownHeader.classify($0, fields[index].name) }
            #expect(fields[index].kind == kind)
        }
    }
}

@Suite struct ByteClassTests {
    @Test func tokenSetIsRFC9110Tchar() {
        let tchar = Set(Array("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8))
        for byte in 0...255 {
            #expect(ByteClass.isToken(UInt8(byte)) == tchar.contains(UInt8(byte)), "byte \(byte)")
        }
    }
}
