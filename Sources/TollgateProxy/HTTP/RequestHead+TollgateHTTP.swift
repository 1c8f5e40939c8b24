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
        raw.withUnsafeBytes { bytes in
            // The parser's own field ranges (ranges into `rawBytes`), classified once here.
            headers.forEachFieldRange { name, value in
                fields.append(HeaderField(name: name, value: value, kind: KnownHeader.classify(bytes, name)))
            }
            for index in 0..<fields.count {
                let field = fields[index]
                switch field.kind {
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
