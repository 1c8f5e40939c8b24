import Testing
import TollgateHTTP

/// Limits are enforced as bytes arrive, before the head is complete.
@Suite struct LimitsTests {
    @Test func requestLineLimitFailsEarlyWith414() throws {
        let limits = HTTPParserLimits(maxRequestLineBytes: 32)
        let line = Array("GET /\(String(repeating: "a", count: 27))".utf8)  // 32 bytes: allowed
        #expect(isNeedMore(HTTPRequestHead.parse(line, limits: limits)))
        let over = line + [UInt8(ascii: "b")]  // 33 bytes, no CRLF yet
        #expect(requestError(over, limits: limits) == HTTPParseError(.requestLineTooLong))
        #expect(requestError(over, limits: limits)?.status == 414)
        let exact = line + Array(" HTTP/1.1".utf8)
        #expect(requestError(exact, limits: limits)?.code == .requestLineTooLong)
    }

    @Test func exactlyAtRequestLineLimitIsAccepted() throws {
        let target = "/" + String(repeating: "a", count: 10)
        let line = "GET \(target) HTTP/1.1"
        let limits = HTTPParserLimits(maxRequestLineBytes: line.utf8.count)
        #expect(parsedRequest(crlf("\(line)\nHost: a\n\n"), limits: limits) != nil)
    }

    @Test func headLimitFailsEarlyWith431() throws {
        let limits = HTTPParserLimits(maxHeaderBytes: 64)
        var bytes = crlf("GET / HTTP/1.1\nHost: a\nX-Pad: ")
        bytes += [UInt8](repeating: UInt8(ascii: "p"), count: 64 - bytes.count)
        #expect(isNeedMore(HTTPRequestHead.parse(bytes, limits: limits)))
        bytes.append(UInt8(ascii: "p"))
        let error = try #require(requestError(bytes, limits: limits))
        #expect(error.code == .headerTooLarge)
        #expect(error.status == 431)
    }

    @Test func headExactlyAtLimitIsAccepted() throws {
        let bytes = crlf("GET / HTTP/1.1\nHost: a\n\n")
        #expect(parsedRequest(bytes, limits: HTTPParserLimits(maxHeaderBytes: bytes.count)) != nil)
        #expect(requestError(bytes, limits: HTTPParserLimits(maxHeaderBytes: bytes.count - 1))?.code == .headerTooLarge)
    }

    @Test func headerCountLimit() throws {
        let limits = HTTPParserLimits(maxHeaderCount: 3)
        #expect(parsedRequest(crlf("GET / HTTP/1.1\nHost: a\nA: 1\nB: 2\n\n"), limits: limits) != nil)
        let error = try #require(requestError(crlf("GET / HTTP/1.1\nHost: a\nA: 1\nB: 2\nC: 3\n"), limits: limits))
        #expect(error.code == .tooManyHeaders)
        #expect(error.status == 431)
    }

    @Test func invalidBytesFailBeforeTheHeadIsComplete() {
        #expect(requestError(Array("GET / HTTP/1.1\n".utf8))?.code == .bareLF)
        #expect(requestError(Array("GET / HTTP/1.1\r\nHost: a\rx".utf8))?.code == .bareCR)
        #expect(requestError(Array("GET /\u{0}".utf8))?.code == .nulByte)
        #expect(requestError([0x16, 0x03, 0x01])?.code == .invalidMethod)
        // A CR at the end of the buffer is not yet an error: its LF may be next.
        #expect(isNeedMore(HTTPRequestHead.parse(Array("GET / HTTP/1.1\r".utf8))))
    }

    @Test func resumableParserSeesEachByteOnce() throws {
        let bytes = crlf("POST /x HTTP/1.1\nHost: a\nContent-Length: 3\n\nabc")
        var parser = HTTPRequestParser()
        var completedAt: Int? = nil
        for n in 1...bytes.count {
            switch parser.parseHead(Array(bytes[0..<n])) {
            case .needMore: continue
            case .failure(let e): Issue.record("unexpected \(e)")
            case .complete(let head, let length):
                #expect(head.bodyFraming == .contentLength(3))
                #expect(length == bytes.count - 3)
                completedAt = n
            }
            break
        }
        #expect(completedAt == bytes.count - 3)
    }

    @Test func defaultsAreDocumentedValues() {
        let l = HTTPParserLimits.default
        #expect(l.maxRequestLineBytes == 8192)
        #expect(l.maxHeaderBytes == 32768)
        #expect(l.maxHeaderCount == 100)
        #expect(l.maxChunkSizeLineBytes == 1024)
        #expect(l.maxTrailerBytes == 8192)
        #expect(l.maxResponseHeaderBytes == 65536)
    }
}
