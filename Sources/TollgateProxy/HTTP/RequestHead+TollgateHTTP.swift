import Glibc
import TollgateConfig
import TollgateHTTP

extension RequestHead {
    /// The proxy's byte-range view of a head parsed by TollgateHTTP: ranges into `parsed.rawBytes`, fields into
    /// `fields`. Nil for a target the proxy does not route (asterisk-form, absolute-form without a path).
    init?(_ parsed: HTTPRequestHead, fields: inout ContiguousArray<HeaderField>) {
        self.init()
        let raw = parsed.rawBytes
        guard let space = raw.firstIndex(of: 0x20) else { return nil }
        method = 0..<space
        switch parsed.targetForm {
        case .origin:
            target = parsed.targetBytes.startIndex..<parsed.targetBytes.endIndex
        case .absolute:
            // RFC 9112 3.2.2: route on the path and query of an absolute-form target.
            let path = parsed.pathBytes
            guard !path.isEmpty else { return nil }
            target = path.startIndex..<parsed.targetBytes.endIndex
        case .asterisk:
            return nil
        }
        minorVersion = parsed.version == .http1_0 ? 0 : 1
        switch parsed.bodyFraming {
        case .contentLength(let length): contentLength = length
        case .chunked: chunked = true
        case .none, .untilClose: break
        }
        keepAlive = parsed.keepAlive
        expectContinue = parsed.expectsContinue
        length = raw.count
        fields.removeAll(keepingCapacity: true)
        let headers = parsed.headers
        let count = headers.count
        raw.withUnsafeBytes { bytes in
            // Field ranges come from one scan of the validated head; asking `headers` for each name and value
            // costs two cross-module calls and two array retains and releases per field. Anything unexpected
            // falls back to asking.
            if !Self.scanFields(bytes, count: count, into: &fields) {
                fields.removeAll(keepingCapacity: true)
                for index in 0..<count {
                    let name = headers.nameBytes(at: index)
                    let value = headers.valueBytes(at: index)
                    fields.append(
                        HeaderField(name: name.startIndex..<name.endIndex, value: value.startIndex..<value.endIndex))
                }
            }
            #if DEBUG
                for index in 0..<count {
                    let name = headers.nameBytes(at: index)
                    let value = headers.valueBytes(at: index)
                    assert(fields[index].name == name.startIndex..<name.endIndex, "field scan: name \(index)")
                    assert(fields[index].value == value.startIndex..<value.endIndex, "field scan: value \(index)")
                }
            #endif
            for index in 0..<fields.count {
                let field = fields[index]
                let kind = KnownHeader.classify(bytes, field.name)
                fields[index].kind = kind
                switch kind {
                case .host:
                    if host == nil { host = field.value }
                case .xRequestID:
                    if requestID == nil { requestID = field.value }
                case .xForwardedFor:
                    if forwardedFor == nil { forwardedFor = field.value }
                case .forwarded:
                    if forwarded == nil { forwarded = field.value }
                case .connection:
                    RequestHeadParser.forEachToken(bytes, field.value) { token in
                        if !KnownHeader.matches(bytes, token, "close")
                            && !KnownHeader.matches(bytes, token, "keep-alive")
                        {
                            hasConnectionOptions = true
                        }
                    }
                default:
                    break
                }
            }
        }
        fieldCount = fields.count
    }
}

extension RequestHead {
    /// The `count` field lines after the request line of a head TollgateHTTP accepted (every line ends in CRLF,
    /// no obs-fold, no whitespace before the colon): name up to the colon, value trimmed of SP and HTAB. False
    /// when the bytes do not have that shape (the caller then asks the parsed headers).
    static func scanFields(
        _ bytes: UnsafeRawBufferPointer, count: Int, into fields: inout ContiguousArray<HeaderField>
    ) -> Bool {
        let end = bytes.count
        guard let base = bytes.baseAddress else { return count == 0 }
        /// Index of the CR of the next CRLF at or after `from` (memchr: the head is already validated, so
        /// there is no bare CR or LF to stop at).
        func crlf(from start: Int) -> Int? {
            guard start < end, let found = memchr(base + start, 0x0D, end - start) else { return nil }
            let index = base.distance(to: UnsafeRawPointer(found))
            return index + 1 < end && bytes[index + 1] == 0x0A ? index : nil
        }
        guard let requestLineEnd = crlf(from: 0) else { return false }
        var position = requestLineEnd + 2
        for _ in 0..<count {
            guard let lineEnd = crlf(from: position), lineEnd > position,
                let found = memchr(base + position, Int32(UInt8(ascii: ":")), lineEnd - position)
            else { return false }
            let colon = base.distance(to: UnsafeRawPointer(found))
            guard colon > position else { return false }
            var lower = colon + 1
            var upper = lineEnd
            while lower < upper && (bytes[lower] == 0x20 || bytes[lower] == 0x09) { lower += 1 }
            while upper > lower && (bytes[upper - 1] == 0x20 || bytes[upper - 1] == 0x09) { upper -= 1 }
            fields.append(HeaderField(name: position..<colon, value: lower..<upper))
            position = lineEnd + 2
        }
        // The empty line ends the head right after the last field.
        return position + 2 <= end && bytes[position] == 0x0D && bytes[position + 1] == 0x0A
    }
}

extension HTTPParserLimits {
    /// The parser limits for the configured HTTP settings.
    init(_ settings: HTTPSettings) {
        self.init(
            maxRequestLineBytes: settings.maxRequestLineBytes,
            maxHeaderBytes: settings.maxHeaderBytes,
            maxHeaderCount: settings.maxHeaderCount
        )
    }
}

extension HTTPParseError {
    /// A short reason for the JSON error body.
    var reason: StaticString {
        switch status {
        case 414: return "request line too long"
        case 431: return "request header too large"
        case 417: return "expectation not supported"
        case 501: return "not implemented"
        case 505: return "http version not supported"
        default: return "malformed request"
        }
    }
}
