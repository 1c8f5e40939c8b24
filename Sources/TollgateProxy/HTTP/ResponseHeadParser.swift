/// A parsed upstream response head (ranges into the bytes it came from).
struct ResponseHead {
    var status = 0
    /// "200 OK": from the status code through the reason phrase.
    var statusText: Range<Int> = 0..<0
    var minorVersion = 1
    var fieldCount = 0
    var contentLength: Int?
    var chunked = false
    var keepAlive = true
    var hasConnectionOptions = false
    var hasRequestID = false
    var length = 0
}

/// Response-head parsing (RFC 9112 4); strict: anything odd from an upstream becomes a 502.
enum ResponseHeadParser {
    static func parse(
        _ bytes: UnsafeRawBufferPointer,
        end: Int,
        fields: inout ContiguousArray<HeaderField>
    ) -> ResponseHead? {
        fields.removeAll(keepingCapacity: true)
        var head = ResponseHead()
        head.length = end
        guard let lineEnd = RequestHeadParser.lineEnd(bytes, from: 0, end: end), lineEnd >= 12 else { return nil }
        guard KnownHeader.matches(bytes, 0..<5, "http/"), bytes[0] == UInt8(ascii: "H"), bytes[5] == UInt8(ascii: "1"),
            bytes[6] == UInt8(ascii: "."), bytes[8] == 0x20
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
            guard let fieldEnd = RequestHeadParser.lineEnd(bytes, from: position, end: end) else { return nil }
            var cursor = position
            while cursor < fieldEnd && ByteClass.isToken(bytes[cursor]) { cursor += 1 }
            guard cursor > position, cursor < fieldEnd, bytes[cursor] == UInt8(ascii: ":") else { return nil }
            let name = position..<cursor
            cursor += 1
            while cursor < fieldEnd && (bytes[cursor] == 0x20 || bytes[cursor] == 0x09) { cursor += 1 }
            var valueEnd = fieldEnd
            while valueEnd > cursor && (bytes[valueEnd - 1] == 0x20 || bytes[valueEnd - 1] == 0x09) { valueEnd -= 1 }
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
