import Glibc
import TollgateHTTP

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

/// What one look at the bytes read from an upstream so far gives.
enum ResponseHeadParse {
    /// A complete, valid head; `end` is just past its empty line.
    case complete(ResponseHead, end: Int)
    /// No complete head yet (the bytes so far hold no `CRLF CRLF`).
    case needMore
    /// A complete head that is malformed.
    case invalid
}

/// Response-head parsing (RFC 9112 4); strict: anything odd from an upstream becomes a 502.
///
/// One pass over the bytes: each line is found with `memchr` (its CR) and every byte of it is then checked
/// by the status-line, name and value rules (which refuse LF, NUL and other controls), so the head is not
/// scanned for its end first. The verdict is the one a search for the first `CRLF CRLF` followed by a parse of
/// the bytes before it gives: a fault in bytes that do not hold a complete head yet is `needMore` (the head
/// may still be cut short by the upstream, which then counts as a closed connection, as before), except a NUL
/// or a bare LF, which no head can hold (`hasFatalByte`).
enum ResponseHeadParser {
    static func parse(_ bytes: UnsafeRawBufferPointer, fields: inout ContiguousArray<HeaderField>) -> ResponseHeadParse
    {
        switch parseLines(bytes, fields: &fields) {
        case .complete(let head, let end):
            return .complete(head, end: end)
        case .needMore:
            return hasFatalByte(bytes) ? .invalid : .needMore
        case .invalid:
            // Rare: decide as the boundary search would (a fault before any complete head waits for more),
            // unless the bytes can never start a valid head.
            return HeadBoundary.find(bytes, from: 0) == nil && !hasFatalByte(bytes) ? .needMore : .invalid
        }
    }

    /// Whether bytes that hold no complete head yet already hold a NUL or a bare LF (one not preceded by CR).
    /// Every byte before the head's final `CRLF CRLF` belongs to a line, and no line may hold either, so such a
    /// head is malformed whatever follows: an upstream that ends its lines with LF alone gets a 502 at once,
    /// not a wait for a `CRLF CRLF` that never comes (and a 504 at the function's timeout).
    static func hasFatalByte(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return false }
        if memchr(base, 0, bytes.count) != nil { return true }
        var start = 0
        while start < bytes.count, let found = memchr(base + start, 0x0A, bytes.count - start) {
            let lf = base.distance(to: UnsafeRawPointer(found))
            if lf == 0 || bytes[lf - 1] != 0x0D { return true }
            start = lf + 1
        }
        return false
    }

    /// Index of the CR that ends the line starting at `start`: `nil` with `needMore` when the bytes end first,
    /// `nil` without it for a CR not followed by LF.
    @inline(__always)
    private static func lineEnd(_ bytes: UnsafeRawBufferPointer, from start: Int, needMore: inout Bool) -> Int? {
        let count = bytes.count
        guard start < count, let base = bytes.baseAddress,
            let found = memchr(base + start, 0x0D, count - start)
        else {
            needMore = true
            return nil
        }
        let cr = base.distance(to: UnsafeRawPointer(found))
        guard cr + 1 < count else {
            needMore = true
            return nil
        }
        return bytes[cr + 1] == 0x0A ? cr : nil
    }

    private static func parseLines(
        _ bytes: UnsafeRawBufferPointer, fields: inout ContiguousArray<HeaderField>
    ) -> ResponseHeadParse {
        fields.removeAll(keepingCapacity: true)
        var head = ResponseHead()
        var needMore = false
        guard let lineEnd = lineEnd(bytes, from: 0, needMore: &needMore) else { return needMore ? .needMore : .invalid }
        guard lineEnd >= 12 else { return .invalid }
        guard KnownHeader.matches(bytes, 0..<5, "http/"), bytes[0] == UInt8(ascii: "H"), bytes[5] == UInt8(ascii: "1"),
            bytes[6] == UInt8(ascii: "."), bytes[8] == 0x20
        else { return .invalid }
        switch bytes[7] {
        case UInt8(ascii: "0"): head.minorVersion = 0
        case UInt8(ascii: "1"): head.minorVersion = 1
        default: return .invalid
        }
        var status = 0
        for index in 9..<12 {
            let byte = bytes[index]
            guard byte >= 0x30 && byte <= 0x39 else { return .invalid }
            status = status * 10 + Int(byte - 0x30)
        }
        guard status >= 100, lineEnd == 12 || bytes[12] == 0x20 else { return .invalid }
        for index in 12..<lineEnd where !ByteClass.isFieldValue(bytes[index]) { return .invalid }
        head.status = status
        head.statusText = 9..<lineEnd
        head.keepAlive = head.minorVersion == 1
        var sawClose = false
        var sawKeepAlive = false
        var sawTransferEncoding = false

        var position = lineEnd + 2
        while true {
            // The empty line ends the head.
            guard position < bytes.count else { return .needMore }
            if bytes[position] == 0x0D {
                guard position + 1 < bytes.count else { return .needMore }
                guard bytes[position + 1] == 0x0A else { return .invalid }
                head.length = position + 2
                break
            }
            guard let fieldEnd = Self.lineEnd(bytes, from: position, needMore: &needMore) else {
                return needMore ? .needMore : .invalid
            }
            var cursor = position
            while cursor < fieldEnd && ByteClass.isToken(bytes[cursor]) { cursor += 1 }
            guard cursor > position, cursor < fieldEnd, bytes[cursor] == UInt8(ascii: ":") else { return .invalid }
            let name = position..<cursor
            cursor += 1
            while cursor < fieldEnd && (bytes[cursor] == 0x20 || bytes[cursor] == 0x09) { cursor += 1 }
            var valueEnd = fieldEnd
            while valueEnd > cursor && (bytes[valueEnd - 1] == 0x20 || bytes[valueEnd - 1] == 0x09) { valueEnd -= 1 }
            // Field-value bytes: skipped eight at a time up to a control byte or DEL, of which only HTAB may stay.
            var check = cursor
            while true {
                check = WordScan.firstControlOrDelete(bytes, from: check, to: valueEnd)
                guard check < valueEnd else { break }
                guard bytes[check] == 0x09 else { return .invalid }
                check += 1
            }
            let value = cursor..<valueEnd
            let kind = KnownHeader.classify(bytes, name)
            fields.append(HeaderField(name: name, value: value, kind: kind))
            guard fields.count <= 256 else { return .invalid }
            switch kind {
            case .contentLength:
                guard let length = RequestHeadParser.parseLength(bytes, value) else { return .invalid }
                if let previous = head.contentLength, previous != length { return .invalid }
                head.contentLength = length
            case .transferEncoding:
                guard !sawTransferEncoding, KnownHeader.matches(bytes, value, "chunked") else { return .invalid }
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
        if head.chunked && head.contentLength != nil { return .invalid }
        head.fieldCount = fields.count
        if sawClose {
            head.keepAlive = false
        } else if sawKeepAlive {
            head.keepAlive = true
        }
        return .complete(head, end: head.length)
    }
}
