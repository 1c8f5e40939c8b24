import PropertyBased
import Testing
import TollgateHTTP

/// Generators for raw and HTTP-shaped input.
enum Gens {
    static func pick<T: Sendable>(_ items: [T]) -> Generator<T, Shrink.Integer<Int>> {
        Gen.int(in: 0...(items.count - 1)).map { items[$0] }
    }

    static let randomBytes = Gen<UInt8>.value(in: 0...255).array(of: 0...300)

    /// Fragments that steer random input towards parser edge cases.
    static let fragments: [[UInt8]] = [
        "GET", "POST", "HEAD", "OPTIONS", "CONNECT", " ", "  ", "/", "/a?b=c", "*", "http://h", "HTTP/1.1", "HTTP/1.0",
        "HTTP/1.1 200 OK", "HTTP/1.1 100 Continue", "204", "\r\n", "\r\n\r\n", "\n", "\r", ":", " : ", "\t",
        "Host", "Host: a", "Content-Length", "Content-Length: 5", ": -1", "Transfer-Encoding: chunked",
        "chunked", ", identity", "Connection: close", "Expect: 100-continue", "0", "5", "ff", "fffffffffffffffffff",
        ";ext=\"q\\\"\"", ";", "=", "\"", "\u{0}", "\u{7F}", "\u{80}", "hello", "X-A: v",
    ].map { Array($0.utf8) }

    static let httpish = pick(fragments).array(of: 0...40).map { $0.flatMap { $0 } }

    /// Either random bytes or HTTP-shaped fragments.
    static func input() -> Generator<[UInt8], some SendableSequenceType> {
        zip(Gen<Bool>.bool, randomBytes, httpish).map { useRandom, random, httpish in
            useRandom ? random : httpish
        }
    }
}

/// Touches every accessor so a trap anywhere in a parsed value would show.
func exercise(_ head: HTTPRequestHead) {
    _ = (head.method.name, head.target, head.path, head.query, head.host, head.hostHeader, head.targetAuthority)
    for field in head.headers { _ = field.name.count + field.value.count }
    var out: [UInt8] = []
    head.write(into: &out)
    head.write(into: &out, framing: .chunked, extraHeaders: HTTPHeaders([("X-R", "1")]), removing: ["host"])
}

@Suite struct PropertyTests {
    @Test func requestParserNeverTraps() async {
        await propertyCheck(count: 1500, input: Gens.input()) { bytes in
            switch HTTPRequestHead.parse(bytes) {
            case .complete(let head, let n):
                #expect(n > 0 && n <= bytes.count)
                exercise(head)
            case .failure(let error):
                #expect([400, 414, 417, 431, 501, 505].contains(error.status))
            case .needMore:
                break
            }
        }
    }

    @Test func incrementalAndOneShotAgree() async {
        await propertyCheck(count: 300, input: Gens.input()) { bytes in
            let oneShot = HTTPRequestHead.parse(bytes)
            var parser = HTTPRequestParser()
            var incremental: HTTPHeadParseResult<HTTPRequestHead> = .needMore
            if !bytes.isEmpty {
                for n in 1...bytes.count {
                    incremental = parser.parseHead(Array(bytes[0..<n]))
                    if !isNeedMore(incremental) { break }
                }
            }
            switch (oneShot, incremental) {
            case (.needMore, .needMore): break
            case (.failure(let a), .failure(let b)): #expect(a.code == b.code)
            case (.complete(let a, let n), .complete(let b, let m)):
                #expect(n == m)
                #expect(a.rawBytes == b.rawBytes)
            default: Issue.record("one-shot \(oneShot) vs incremental \(incremental)")
            }
        }
    }

    @Test func responseParserNeverTraps() async {
        await propertyCheck(count: 1500, input: Gens.input()) { bytes in
            if case .complete(let head, let n) = HTTPResponseHead.parse(bytes) {
                #expect(n <= bytes.count)
                _ = (head.reason, head.status, head.isInformational, head.bodyFraming(requestMethod: .get))
                var out: [UInt8] = []
                head.write(into: &out, framing: head.bodyFraming(requestMethod: .head))
            }
        }
    }

    @Test func chunkedDecoderNeverTraps() async {
        await propertyCheck(count: 1500, input: Gens.input(), Gen.int(in: 0...300)) { bytes, cut in
            let r = decodeChunked(bytes, splits: [cut])
            #expect(r.consumed <= bytes.count)
            #expect(r.body.count <= bytes.count)
        }
    }

    // MARK: Round trip

    static let tokenChars = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~")
    static let pathChars = Array("abcXYZ019-._~!$&'()*+,;=:@%/")
    static let valueChars = Array("abc XYZ 019 \t!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")

    static let token = pick(tokenChars).array(of: 1...10).map { String($0) }
    static let path = pick(pathChars).array(of: 0...20).map { "/" + String($0) }
    static let query = pick(pathChars + ["?"]).array(of: 0...15).map { String($0) }.optional()
    static let value = pick(valueChars).array(of: 0...20).map { chars -> String in
        String(String(chars).trimmingWhitespace())
    }
    static let field = zip(token, value).map { ("X-" + $0, $1) }
    static let fields = field.array(of: 0...8)
    static let framing = Gen.int(in: 0...2)
    static let method = pick(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND", "M-SEARCH"])

    static func pick<T: Sendable>(_ items: [T]) -> Generator<T, Shrink.Integer<Int>> { Gens.pick(items) }

    @Test func parseThenSerializeRoundTrips() async throws {
        await propertyCheck(
            count: 400, input: Self.method, Self.path, Self.query, Self.fields, Self.framing, Gen.int(in: 0...100_000)
        ) {
            method, path, query, fields, framing, length in
            var text = "\(method) \(path)\(query.map { "?" + $0 } ?? "") HTTP/1.1\r\nHost: example.com:8080\r\n"
            for (name, value) in fields { text += "\(name): \(value)\r\n" }
            switch framing {
            case 1: text += "Content-Length: \(length)\r\n"
            case 2: text += "Transfer-Encoding: chunked\r\n"
            default: break
            }
            text += "\r\n"
            let bytes = Array(text.utf8)
            guard case .complete(let head, let n) = HTTPRequestHead.parse(bytes) else {
                Issue.record("generated request did not parse: \(text.debugDescription)")
                return
            }
            #expect(n == bytes.count)
            #expect(head.method.name == method)
            #expect(head.path == path)
            #expect(head.query == query)
            #expect(head.headers.count == fields.count + 1 + (framing == 0 ? 0 : 1))
            var out: [UInt8] = []
            head.write(into: &out)
            #expect(out == bytes, "serialized: \(String(decoding: out, as: UTF8.self).debugDescription)")
            guard case .complete(let again, _) = HTTPRequestHead.parse(out) else {
                Issue.record("serialized request did not parse")
                return
            }
            #expect(again.headers == head.headers)
            #expect(again.bodyFraming == head.bodyFraming)
            #expect(again.target == head.target && again.method == head.method)
        }
    }
}

extension String {
    func trimmingWhitespace() -> Substring {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }
}
