import Testing
import TollgateHTTP

@testable import TollgateProxy

/// `HeadAssembler.appendFieldLines` (runs of canonical lines copied whole) writes exactly what rebuilding
/// every accepted field as `name: value CRLF` writes, whatever the whitespace and whichever fields are left out.
@Suite struct HeadAssemblerTests {
    static let requestHeads = [
        "GET /a HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nX-B: 2\r\nX-C: 3\r\n\r\n",
        "GET /a HTTP/1.1\r\nHost:a\r\nX-Tabs:\t value \t\r\nX-Empty:\r\nX-Spaces:   \r\nX-Ok: v\r\nX-Ok2: w\r\n\r\n",
        "GET /a HTTP/1.1\r\nHost: a\r\nX-One: \r\nX-Two:  two\r\nX-Three: three \r\nX-Four: four\r\n\r\n",
        "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nX-Obs: caf\u{e9}\r\nConnection: keep-alive, X-Obs\r\n\r\nabc",
        "GET /old HTTP/1.0\r\n\r\n",
        "GET /a HTTP/1.1\r\nHost: a\r\nX-Colon: a:b: c\r\nX-Inner:  a  b\r\nUser-Agent: Mozilla/5.0 (X11)\r\n\r\n",
    ]

    static func naive(_ bytes: UnsafeRawBufferPointer, _ fields: ContiguousArray<HeaderField>, _ keep: [Bool])
        -> [UInt8]
    {
        var out: [UInt8] = []
        for index in fields.indices where keep[index] {
            out += bytes[fields[index].name]
            out += Array(": ".utf8)
            out += bytes[fields[index].value]
            out += [0x0D, 0x0A]
        }
        return out
    }

    static func assembled(_ bytes: UnsafeRawBufferPointer, _ fields: ContiguousArray<HeaderField>, _ keep: [Bool])
        -> [UInt8]
    {
        var assembler = HeadAssembler(capacity: 8)  // small: growing is exercised too
        assembler.append("prefix ")
        var index = 0
        assembler.appendFieldLines(bytes, fields, count: fields.count) { _ in
            defer { index += 1 }
            return keep[index]
        }
        var out: [UInt8] = []
        assembler.copy(into: &out)
        return Array(out.dropFirst(7))
    }

    /// Every subset of fields (up to 2^7), for every request head.
    @Test(arguments: requestHeads)
    func requestFieldsMatchPieceByPiece(_ text: String) throws {
        var parser = HTTPRequestParser()
        let bytes = Array(text.utf8)
        guard case .complete(let parsed, _) = bytes.withUnsafeBytes({ parser.parseHead($0) }) else {
            Issue.record("parser refused \(text.debugDescription)")
            return
        }
        var fields = ContiguousArray<HeaderField>()
        _ = try #require(RequestHead(parsed, fields: &fields))
        parsed.rawBytes.withUnsafeBytes { raw in
            for mask in 0..<(1 << min(fields.count, 7)) {
                let keep = fields.indices.map { $0 >= 7 || mask & (1 << $0) != 0 }
                #expect(Self.assembled(raw, fields, keep) == Self.naive(raw, fields, keep), "mask \(mask)")
            }
        }
    }

    @Test func responseFieldsMatchPieceByPiece() {
        let text =
            "HTTP/1.1 200 OK\r\nServer: nginx\r\nDate:  Sun\r\nContent-Type: application/json\r\n"
            + "Content-Length: 47\r\nConnection: keep-alive\r\nX-Trail: t \r\nX-Last: l\r\n\r\n"
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { raw in
            var fields = ContiguousArray<HeaderField>()
            guard case .complete(let head, _) = ResponseHeadParser.parse(raw, fields: &fields) else {
                Issue.record("response refused")
                return
            }
            #expect(head.fieldCount == 7)
            for mask in 0..<(1 << 7) {
                let keep = (0..<7).map { mask & (1 << $0) != 0 }
                #expect(Self.assembled(raw, fields, keep) == Self.naive(raw, fields, keep), "mask \(mask)")
            }
        }
    }
}
