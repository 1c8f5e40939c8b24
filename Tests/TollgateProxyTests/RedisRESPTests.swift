import Testing

@testable import TollgateProxy

@Suite("RESP2 codec")
struct RedisRESPTests {
    static let cases: [(String, RESPValue)] = [
        ("+OK\r\n", .simpleString(Array("OK".utf8))),
        ("+\r\n", .simpleString([])),
        ("-ERR unknown command\r\n", .error(Array("ERR unknown command".utf8))),
        (":0\r\n", .integer(0)),
        (":-42\r\n", .integer(-42)),
        (":9223372036854775807\r\n", .integer(Int64.max)),
        ("$5\r\nhello\r\n", .bulkString(Array("hello".utf8))),
        ("$0\r\n\r\n", .bulkString([])),
        ("$4\r\na\r\nb\r\n", .bulkString(Array("a\r\nb".utf8))),
        ("$-1\r\n", .bulkString(nil)),
        ("*0\r\n", .array([])),
        ("*-1\r\n", .array(nil)),
        ("*2\r\n:1\r\n$-1\r\n", .array([.integer(1), .bulkString(nil)])),
        (
            "*3\r\n*2\r\n+a\r\n-b\r\n*-1\r\n*1\r\n$1\r\nx\r\n",
            .array([.array([.simpleString([97]), .error([98])]), .array(nil), .array([.bulkString([120])])])
        ),
    ]

    @Test("decodes every type", arguments: 0..<cases.count)
    func decodes(_ index: Int) throws {
        let (text, expected) = Self.cases[index]
        var decoder = RESPDecoder()
        decoder.append(Array(text.utf8))
        #expect(try decoder.next() == expected)
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferedCount == 0)
        // And the encoder writes the same bytes back.
        var out: [UInt8] = []
        RESPEncoder.value(expected, into: &out)
        #expect(out == Array(text.utf8))
    }

    @Test("a stream split at every byte decodes to the same values")
    func splitAtEveryByte() throws {
        let stream = Array(Self.cases.map(\.0).joined().utf8)
        let expected = Self.cases.map(\.1)
        for split in 0...stream.count {
            var decoder = RESPDecoder()
            var got: [RESPValue] = []
            decoder.append(Array(stream[0..<split]))
            while let v = try decoder.next() { got.append(v) }
            decoder.append(Array(stream[split...]))
            while let v = try decoder.next() { got.append(v) }
            #expect(got == expected, "split at \(split)")
        }
    }

    @Test("a stream fed one byte at a time decodes to the same values")
    func byteByByte() throws {
        let stream = Array(Self.cases.map(\.0).joined().utf8)
        var decoder = RESPDecoder()
        var got: [RESPValue] = []
        for byte in stream {
            decoder.append([byte])
            while let v = try decoder.next() { got.append(v) }
        }
        #expect(got == Self.cases.map(\.1))
        #expect(decoder.bufferedCount == 0)
    }

    @Test(
        "malformed input is a protocol error with a stable code",
        arguments: [
            ("?x\r\n", RESPError.Code.unknownType),
            (":12a\r\n", .invalidInteger),
            (":\r\n", .invalidInteger),
            (":99999999999999999999\r\n", .invalidInteger),
            ("$-2\r\n", .invalidLength),
            ("*-5\r\n", .invalidLength),
            ("$3\r\nabcd\r\n", .missingCRLF),
            ("+OK\n", .missingCRLF),
            ("+OK\rX", .missingCRLF),
            ("$999999999\r\n", .tooLarge),
            (String(repeating: "*1\r\n", count: 20) + ":1\r\n", .tooDeep),
        ])
    func malformed(_ text: String, _ code: RESPError.Code) {
        var decoder = RESPDecoder()
        decoder.append(Array(text.utf8))
        do {
            let value = try decoder.next()
            Issue.record("decoded \(String(describing: value)) instead of failing with \(code)")
        } catch {
            #expect(error.code == code)
        }
    }

    @Test("commands are arrays of bulk strings")
    func encodesCommands() {
        var out: [UInt8] = []
        RESPEncoder.command([Array("SET".utf8), Array("k".utf8), [], Array("a\r\nb".utf8)], into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n$4\r\na\r\nb\r\n")
        var decoder = RESPDecoder()
        decoder.append(out)
        #expect(
            (try? decoder.next())
                == .array([
                    .bulkString(Array("SET".utf8)), .bulkString(Array("k".utf8)), .bulkString([]),
                    .bulkString(Array("a\r\nb".utf8)),
                ]))
    }
}
