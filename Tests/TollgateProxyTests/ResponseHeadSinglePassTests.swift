import Testing

@testable import TollgateProxy

/// The single-pass response head parser gives the verdict of the two-pass one it replaced (search for the
/// first CRLF CRLF, then parse the bytes before it), kept here as the reference.
@Suite struct ResponseHeadSinglePassTests {
    /// The previous parser, verbatim: `end` is just past the first CRLF CRLF.
    enum Reference {
        static func lineEnd(_ bytes: UnsafeRawBufferPointer, from start: Int, end: Int) -> Int? {
            var position = start
            while position < end {
                let byte = bytes[position]
                if byte == 0x0D {
                    return position + 1 < end && bytes[position + 1] == 0x0A ? position : nil
                }
                if byte == 0x0A || byte == 0 { return nil }
                position += 1
            }
            return nil
        }

        static func parse(_ bytes: UnsafeRawBufferPointer, end: Int, fields: inout ContiguousArray<HeaderField>)
            -> ResponseHead?
        {
            fields.removeAll(keepingCapacity: true)
            var head = ResponseHead()
            head.length = end
            guard let lineEnd = Self.lineEnd(bytes, from: 0, end: end), lineEnd >= 12 else { return nil }
            guard KnownHeader.matches(bytes, 0..<5, "http/"), bytes[0] == UInt8(ascii: "H"),
                bytes[5] == UInt8(ascii: "1"), bytes[6] == UInt8(ascii: "."), bytes[8] == 0x20
            else { return nil }
            switch bytes[7] {
            case UInt8(ascii: "0"): head.minorVersion = 0
            case UInt8(ascii: "1"): head.minorVersion = 1
            default: return nil
            }
            var status = 0
            for index in 9..<12 {
                let byte = bytes[index]
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                status = status * 10 + Int(byte - 0x30)
            }
            guard status >= 100, lineEnd == 12 || bytes[12] == 0x20 else { return nil }
            for index in 12..<lineEnd where !ByteClass.isFieldValue(bytes[index]) { return nil }
            head.status = status
            head.statusText = 9..<lineEnd
            head.keepAlive = head.minorVersion == 1
            var sawClose = false
            var sawKeepAlive = false
            var sawTransferEncoding = false
            var position = lineEnd + 2
            while position < end - 2 {
                guard let fieldEnd = Self.lineEnd(bytes, from: position, end: end) else { return nil }
                var cursor = position
                while cursor < fieldEnd && ByteClass.isToken(bytes[cursor]) { cursor += 1 }
                guard cursor > position, cursor < fieldEnd, bytes[cursor] == UInt8(ascii: ":") else { return nil }
                let name = position..<cursor
                cursor += 1
                while cursor < fieldEnd && (bytes[cursor] == 0x20 || bytes[cursor] == 0x09) { cursor += 1 }
                var valueEnd = fieldEnd
                while valueEnd > cursor && (bytes[valueEnd - 1] == 0x20 || bytes[valueEnd - 1] == 0x09) {
                    valueEnd -= 1
                }
                for index in cursor..<valueEnd where !ByteClass.isFieldValue(bytes[index]) { return nil }
                let value = cursor..<valueEnd
                fields.append(HeaderField(name: name, value: value))
                guard fields.count <= 256 else { return nil }
                switch KnownHeader.classify(bytes, name) {
                case .contentLength:
                    guard let length = RequestHeadParser.parseLength(bytes, value) else { return nil }
                    if let previous = head.contentLength, previous != length { return nil }
                    head.contentLength = length
                case .transferEncoding:
                    guard !sawTransferEncoding, KnownHeader.matches(bytes, value, "chunked") else { return nil }
                    sawTransferEncoding = true
                    head.chunked = true
                case .connection:
                    RequestHeadParser.forEachToken(bytes, value) { token in
                        if KnownHeader.matches(bytes, token, "close") {
                            sawClose = true
                        } else if KnownHeader.matches(bytes, token, "keep-alive") {
                            sawKeepAlive = true
                        } else {
                            head.hasConnectionOptions = true
                        }
                    }
                case .xRequestID:
                    head.hasRequestID = true
                default:
                    break
                }
                position = fieldEnd + 2
            }
            if head.chunked && head.contentLength != nil { return nil }
            head.fieldCount = fields.count
            if sawClose {
                head.keepAlive = false
            } else if sawKeepAlive {
                head.keepAlive = true
            }
            return head
        }
    }

    /// Both verdicts as comparable text: "more", "invalid", or the head's fields and ranges.
    static func describe(_ head: ResponseHead, end: Int, _ fields: ContiguousArray<HeaderField>) -> String {
        let ranges = fields.prefix(head.fieldCount).map { "\($0.name)=\($0.value)" }.joined(separator: ",")
        return "complete end=\(end) status=\(head.status) text=\(head.statusText) minor=\(head.minorVersion) "
            + "cl=\(head.contentLength.map(String.init) ?? "-") chunked=\(head.chunked) keepAlive=\(head.keepAlive) "
            + "options=\(head.hasConnectionOptions) rid=\(head.hasRequestID) length=\(head.length) fields=\(ranges)"
    }

    static func reference(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { raw in
            guard let end = HeadBoundary.find(raw, from: 0) else {
                // No line may hold a NUL or a bare LF: bytes with one are no head's beginning.
                let fatal = raw.enumerated().contains { index, byte in
                    byte == 0 || (byte == 0x0A && (index == 0 || raw[index - 1] != 0x0D))
                }
                return fatal ? "invalid" : "more"
            }
            var fields = ContiguousArray<HeaderField>()
            guard let head = Reference.parse(raw, end: end, fields: &fields) else { return "invalid" }
            return describe(head, end: end, fields)
        }
    }

    static func singlePass(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { raw in
            var fields = ContiguousArray<HeaderField>()
            switch ResponseHeadParser.parse(raw, fields: &fields) {
            case .needMore: return "more"
            case .invalid: return "invalid"
            case .complete(let head, let end): return describe(head, end: end, fields)
            }
        }
    }

    static let fragments: [[UInt8]] = [
        "HTTP/1.1 200 OK", "HTTP/1.0 204", "HTTP/1.1 100 Continue", "HTTP/1.1 2000", "http/1.1 200 OK", "HTTP/2.0 200",
        "\r\n", "\r\n\r\n", "\r", "\n", "\u{0}", "\u{1}", "\u{7F}", "\u{80}", "\t", " ", ":", "X-A: v",
        "Content-Length: 5", "Content-Length: 6", "Content-Length: x", "Transfer-Encoding: chunked",
        "Transfer-Encoding: gzip", "Connection: close", "Connection: keep-alive, Foo", "X-Request-Id: r1",
        "Server: nginx", "Bad Name: x", "caf\u{e9}",
    ].map { Array($0.utf8) }

    @Test func agreesWithTheTwoPassParserOnGeneratedInput() {
        var random = SplitMix(seed: 2026)
        var verdicts: [String: Int] = [:]
        for round in 0..<20_000 {
            var bytes: [UInt8] = []
            if round % 4 != 0 { bytes += Self.fragments[0] + [0x0D, 0x0A] }
            for _ in 0..<Int.random(in: 0...14, using: &random) {
                if Int.random(in: 0..<8, using: &random) == 0 {
                    bytes.append(UInt8.random(in: 0...255, using: &random))
                } else {
                    bytes += Self.fragments.randomElement(using: &random) ?? []
                }
            }
            // Every prefix too: a head arriving in pieces.
            for cut in [bytes.count, bytes.count / 2, max(0, bytes.count - 1), max(0, bytes.count - 2)] {
                let prefix = Array(bytes[0..<cut])
                let expected = Self.reference(prefix)
                let actual = Self.singlePass(prefix)
                verdicts[String(expected.prefix(while: { $0 != " " })), default: 0] += 1
                if expected != actual {
                    Issue.record(
                        "\(String(decoding: prefix, as: UTF8.self).debugDescription): \(expected) vs \(actual)")
                    return
                }
            }
        }
        // The generator reaches every verdict often.
        #expect(verdicts["complete", default: 0] > 1_000)
        #expect(verdicts["invalid", default: 0] > 1_000)
        #expect(verdicts["more", default: 0] > 1_000)
    }

    @Test(arguments: [
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: 1\r\n\r\nhi",
        "HTTP/1.1 200 OK\r\n\r\n",
        "HTTP/1.1 204\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX: a\r\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX: a\nb\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX: a\u{0}b\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX: a\r\n",
        "HTTP/1.1 200 OK\r\nX: a\r",
        "HTTP/1.1 200 OK\r\n\r",
        "HTTP/1.1 200 OK\r\n\r\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX\r\n\r\n",
        "\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-Tab:\tv\t \r\n\r\n",
        "HTTP/1.1 200 O\u{1}K\r\n\r\n",
        "HTTP/1.1 200\nX\r\n\r\n",
        "HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
        "HTTP/1.1 200 OK\r\nX: a\u{0}",
        "\n",
        "",
    ])
    func agreesOnEdgeCases(_ text: String) {
        let bytes = Array(text.utf8)
        #expect(Self.singlePass(bytes) == Self.reference(bytes), "\(text.debugDescription)")
    }

    @Test("a head with a NUL or a bare LF is invalid before its end arrives; a plain cut head waits")
    func fatalBytesNeedNoBoundary() {
        #expect(Self.singlePass(Array("HTTP/1.1 200 OK\nContent-Length: 2\n\nok".utf8)) == "invalid")
        #expect(Self.singlePass(Array("HTTP/1.1 200 OK\r\nX: a\u{0}".utf8)) == "invalid")
        #expect(Self.singlePass(Array("\n".utf8)) == "invalid")
        #expect(Self.singlePass(Array("HTTP/1.1 200 OK\r\nX: a\r".utf8)) == "more")
        #expect(Self.singlePass(Array("HTTP/1.1 200 OK\r\nX: a\r\n".utf8)) == "more")
    }
}
