import Testing
import TollgateHTTP

/// Decodes `bytes` fed in the given pieces; returns body, trailers, consumed count, or the error.
func decodeChunked(
    _ bytes: [UInt8],
    splits: [Int] = [],
    limits: HTTPParserLimits = HTTPParserLimits()
) -> (body: [UInt8], trailers: HTTPHeaders, consumed: Int, done: Bool, error: HTTPParseError?) {
    var decoder = ChunkedDecoder(limits: limits)
    var body: [UInt8] = []
    var consumed = 0
    var cuts = splits.filter { $0 > 0 && $0 < bytes.count }.sorted()
    cuts.append(bytes.count)
    var start = 0
    do {
        for cut in cuts where !decoder.isDone {
            let progress = try decoder.decode(Array(bytes[start..<cut]), into: &body)
            consumed += progress.consumed
            start = cut
            if progress.isDone { break }
        }
    } catch {
        return (body, decoder.trailers, consumed, decoder.isDone, error)
    }
    return (body, decoder.trailers, consumed, decoder.isDone, nil)
}

@Suite struct ChunkedDecoderTests {
    static let sample = crlf(
        "5;ext=1;q=\"a \\\" b\"\nhello\n1A\nabcdefghijklmnopqrstuvwxyz\n0\nX-Sum: 9\nX-Other:  z \n\n")
    static let sampleBody = Array("helloabcdefghijklmnopqrstuvwxyz".utf8)

    @Test func decodesWholeBuffer() throws {
        let r = decodeChunked(Self.sample + Array("NEXT".utf8))
        #expect(r.error == nil)
        #expect(r.done)
        #expect(r.body == Self.sampleBody)
        #expect(r.consumed == Self.sample.count, "stops at the end of the body; the next message is left")
        #expect(r.trailers.first(name: "x-sum") == "9")
        #expect(r.trailers.first(name: "X-Other") == "z")
    }

    @Test func splitAtEveryBytePosition() throws {
        for cut in 1..<Self.sample.count {
            let r = decodeChunked(Self.sample, splits: [cut])
            #expect(r.error == nil, "split at \(cut)")
            #expect(r.done && r.body == Self.sampleBody && r.consumed == Self.sample.count, "split at \(cut)")
            #expect(r.trailers.count == 2)
        }
    }

    @Test func byteByByte() throws {
        let r = decodeChunked(Self.sample, splits: Array(1..<Self.sample.count))
        #expect(r.error == nil)
        #expect(r.body == Self.sampleBody)
        #expect(r.trailers.first(name: "X-Sum") == "9")
    }

    @Test func callbackGetsSlicesOfTheInput() throws {
        var decoder = ChunkedDecoder()
        var pieces: [[UInt8]] = []
        let input = crlf("3\nabc\n2\nde\n0\n\n")
        let progress = try input.withUnsafeBytes { buf in
            try decoder.decode(buf) { pieces.append(Array($0)) }
        }
        #expect(progress == ChunkedDecoder.Progress(consumed: input.count, isDone: true))
        #expect(pieces == [Array("abc".utf8), Array("de".utf8)])
        #expect(decoder.decodedByteCount == 5)
    }

    @Test func emptyBodyAndUppercaseHex() throws {
        #expect(decodeChunked(crlf("0\n\n")).done)
        let r = decodeChunked(crlf("A\n0123456789\n00\n\n"))
        #expect(r.body.count == 10 && r.done)
    }

    @Test func overflowIsRejected() throws {
        #expect(decodeChunked(crlf("20000000000001\nx\n")).error?.code == .chunkSizeOverflow)  // 2^53 + 1
        #expect(decodeChunked(crlf("ffffffffffffffffffffffff\n")).error?.code == .chunkSizeOverflow)
        // 2^53 itself is accepted as a size (then waits for data).
        let r = decodeChunked(crlf("20000000000000\nabc"))
        #expect(r.error == nil && !r.done && r.body.count == 3)
        // Leading zeros are digits, not overflow.
        #expect(decodeChunked(crlf("0000000000000000000000005\nhello\n0\n\n")).done)
    }

    @Test(arguments: [
        ("x\n", HTTPParseError.Code.invalidChunkSize),
        ("\n", .invalidChunkSize),
        ("+5\nhello\n", .invalidChunkSize),
        ("5 \nhello\n", .invalidChunkSize),
        ("5\t;a\nhello\n", .invalidChunkSize),
        ("5; a\nhello\n", .invalidChunkExtension),
        ("5;a =b\nhello\n", .invalidChunkExtension),
        ("5;=b\nhello\n", .invalidChunkExtension),
        ("5;a=\nhello\n", .invalidChunkExtension),
        ("5;a=\"b\nhello\n", .invalidChunkExtension),
        ("5;a=\"b\"c\nhello\n", .invalidChunkExtension),
        ("5\nhelloX\n", .invalidChunkDelimiter),
        ("5\nhello\rX", .invalidChunkDelimiter),
        ("0\nBad Name: x\n\n", .invalidHeaderName),
        ("0\nX : x\n\n", .whitespaceBeforeColon),
        ("0\nX: a\u{1}\n\n", .invalidHeaderValue),
    ])
    func rejects(_ body: String, _ code: HTTPParseError.Code) {
        #expect(decodeChunked(crlf(body)).error?.code == code)
    }

    @Test func bareLineEndings() {
        #expect(decodeChunked(Array("5\nhello\r\n0\r\n\r\n".utf8)).error?.code == .bareLF)
        #expect(decodeChunked(Array("5\rhello\r\n".utf8)).error?.code == .bareCR)
        #expect(decodeChunked(Array("0\r\nX: 1\n\r\n".utf8)).error?.code == .bareLF)
        #expect(decodeChunked(Array("0\r\n\rX".utf8)).error?.code == .bareCR)
        #expect(decodeChunked(Array("0\r\nX: \u{0}\r\n\r\n".utf8)).error?.code == .nulByte)
    }

    @Test func extensionLengthIsBounded() {
        let limits = HTTPParserLimits(maxChunkSizeLineBytes: 16)
        let ok = "5;" + String(repeating: "e", count: 14)  // 16 bytes
        #expect(decodeChunked(crlf(ok + "\nhello\n0\n\n"), limits: limits).done)
        let long = "5;" + String(repeating: "e", count: 15)  // 17 bytes
        #expect(decodeChunked(crlf(long + "\nhello\n0\n\n"), limits: limits).error?.code == .chunkExtensionTooLong)
        // Fed a byte at a time, the limit still trips without waiting for the CRLF.
        let endless = Array(("5;" + String(repeating: "e", count: 100)).utf8)
        let r = decodeChunked(endless, splits: Array(1..<endless.count), limits: limits)
        #expect(r.error?.code == .chunkExtensionTooLong)
    }

    @Test func trailersAreBounded() {
        let limits = HTTPParserLimits(maxTrailerBytes: 20, maxTrailerCount: 2)
        #expect(decodeChunked(crlf("0\nA: 1\nB: 2\n\n"), limits: limits).done)
        #expect(decodeChunked(crlf("0\nA: 1\nB: 2\nC: 3\n\n"), limits: limits).error?.code == .trailerTooLarge)
        #expect(decodeChunked(crlf("0\nA: 12345678901234567890\n\n"), limits: limits).error?.code == .trailerTooLarge)
        #expect(HTTPParseError.Code.trailerTooLarge.status == 431)
    }

    @Test func errorsAreSticky() throws {
        var decoder = ChunkedDecoder()
        var out: [UInt8] = []
        for input in [Array("z".utf8), Array("0\r\n\r\n".utf8)] {
            do {
                _ = try decoder.decode(input, into: &out)
                Issue.record("expected an error")
            } catch {
                #expect(error.code == .invalidChunkSize)
            }
        }
    }

    @Test func encoderRoundTrips() throws {
        var wire: [UInt8] = []
        let parts: [[UInt8]] = [Array("hello".utf8), [UInt8](repeating: 7, count: 300), [], Array("z".utf8)]
        for p in parts { ChunkedEncoder.appendChunk(p, to: &wire) }
        var trailers = HTTPHeaders()
        let added = trailers.add(name: "X-Digest", value: "abc")
        #expect(added)
        ChunkedEncoder.appendLastChunk(trailers: trailers, to: &wire)
        #expect(Array(wire.prefix(7)) == Array("5\r\nhell".utf8))
        #expect(ChunkedEncoder.chunkHead(size: 300) == Array("12c\r\n".utf8))
        #expect(ChunkedEncoder.chunkHead(size: 0).isEmpty)
        let r = decodeChunked(wire)
        #expect(r.error == nil && r.done)
        #expect(r.body == parts.flatMap { $0 })
        #expect(r.trailers == trailers)
    }
}
