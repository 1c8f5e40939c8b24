/// Shared field-writing logic for forwarding heads (RFC 9110 section 7.6.1: hop-by-hop fields removed).
enum HeadWriter {
    static let contentLengthPrefix: [UInt8] = Array("Content-Length: ".utf8)
    static let chunkedLine: [UInt8] = Array("Transfer-Encoding: chunked\r\n".utf8)
    static let versionSuffix: [UInt8] = Array(" HTTP/1.1\r\n".utf8)
    static let statusPrefix: [UInt8] = Array("HTTP/1.1 ".utf8)

    /// Whether a field name is one of the fixed hop-by-hop fields: Connection, Keep-Alive, Proxy-Connection,
    /// TE, Trailer, Transfer-Encoding, Upgrade.
    static func isHopByHop(_ s: [UInt8], _ name: Range<Int>) -> Bool {
        switch name.count {
        case 2: return FieldSemantics.equalsLowercase(s, name, "te")
        case 7:
            return FieldSemantics.equalsLowercase(s, name, "trailer")
                || FieldSemantics.equalsLowercase(s, name, "upgrade")
        case 10:
            return FieldSemantics.equalsLowercase(s, name, "connection")
                || FieldSemantics.equalsLowercase(s, name, "keep-alive")
        case 16: return FieldSemantics.equalsLowercase(s, name, "proxy-connection")
        case 17: return FieldSemantics.equalsLowercase(s, name, "transfer-encoding")
        default: return false
        }
    }

    @inline(__always) static func appendColonSpace(_ out: inout [UInt8]) {
        out.append(.colon)
        out.append(.sp)
    }

    @inline(__always) static func appendCRLF(_ out: inout [UInt8]) {
        out.append(.cr)
        out.append(.lf)
    }

    /// Appends `storage[range]` without creating an ArraySlice (no retain of the storage).
    @inline(__always) static func appendRange(_ storage: [UInt8], _ range: Range<Int>, _ out: inout [UInt8]) {
        storage.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
    }

    static func sameName(_ s: [UInt8], _ name: Range<Int>, _ other: some Collection<UInt8>) -> Bool {
        guard name.count == other.count else { return false }
        var i = name.lowerBound
        for b in other {
            if ByteClass.lower(s[i]) != ByteClass.lower(b) { return false }
            i += 1
        }
        return true
    }

    static func appendDecimal(_ n: Int, to out: inout [UInt8]) {
        if n == 0 {
            out.append(0x30)
            return
        }
        var digits: [UInt8] = []
        var v = n
        while v > 0 {
            digits.append(0x30 + UInt8(v % 10))
            v /= 10
        }
        out.append(contentsOf: digits.reversed())
    }

    /// Writes `headers` without hop-by-hop fields, fields named in Connection, and `removing`; writes the
    /// framing fields for `framing` (see `HTTPRequestHead.write`), then `extra`, then the final CRLF.
    /// `keepContentLengthForNone`: with `.none`, keep Content-Length (a HEAD or 304 response's length).
    static func writeFields(
        _ headers: HTTPHeaders,
        framing: HTTPBodyFraming,
        keepContentLengthForNone: Bool,
        extra: HTTPHeaders,
        removing: [String],
        into out: inout [UInt8]
    ) {
        let s = headers.storage
        // Names listed in Connection are hop-by-hop too (RFC 9110 section 7.6.1).
        var connectionNamed: [Range<Int>] = []
        for field in headers.fields where FieldSemantics.classify(s, field.name) == .connection {
            connectionNamed.append(contentsOf: FieldSemantics.listElements(s, field.value).filter { !$0.isEmpty })
        }
        var wroteLength = false
        for field in headers.fields {
            let name = field.name
            if isHopByHop(s, name) { continue }
            if connectionNamed.contains(where: { sameName(s, name, s[$0]) }) { continue }
            if removing.contains(where: { sameName(s, name, $0.utf8) }) { continue }
            if FieldSemantics.classify(s, name) == .contentLength {
                if wroteLength { continue }
                switch framing {
                case .contentLength(let n):
                    appendRange(s, name, &out)
                    appendColonSpace(&out)
                    appendDecimal(n, to: &out)
                    appendCRLF(&out)
                    wroteLength = true
                case .none where keepContentLengthForNone:
                    if let n = try? FieldSemantics.contentLength(s, field.value) {
                        appendRange(s, name, &out)
                        appendColonSpace(&out)
                        appendDecimal(n, to: &out)
                        appendCRLF(&out)
                        wroteLength = true
                    }
                default:
                    break
                }
                continue
            }
            appendRange(s, name, &out)
            appendColonSpace(&out)
            appendRange(s, field.value, &out)
            appendCRLF(&out)
        }
        switch framing {
        case .contentLength(let n) where !wroteLength:
            out.append(contentsOf: contentLengthPrefix)
            appendDecimal(n, to: &out)
            appendCRLF(&out)
        case .chunked:
            out.append(contentsOf: chunkedLine)
        default:
            break
        }
        for i in 0..<extra.count {
            out.append(contentsOf: extra.nameBytes(at: i))
            appendColonSpace(&out)
            out.append(contentsOf: extra.valueBytes(at: i))
            appendCRLF(&out)
        }
        appendCRLF(&out)
    }
}

extension HTTPRequestHead {
    /// Appends this head, ready to forward upstream, to `out`.
    ///
    /// Writes `METHOD SP target SP HTTP/1.1`, then the fields in received order minus hop-by-hop fields
    /// (Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade, every name listed
    /// in Connection) and minus `removing` (case-insensitive), then the framing field for `framing`
    /// (default: `bodyFraming`): `.contentLength(n)` writes one normalised `Content-Length: n` (in place of the
    /// first one received, or appended), `.chunked` appends `Transfer-Encoding: chunked`, `.none` writes neither;
    /// then `extraHeaders`, then CRLF.
    ///
    /// - Parameter target: the request-target to send; default: the received target, except that an
    ///   absolute-form target is sent in origin-form (`path?query`, RFC 9112 section 3.2.1).
    public func write(
        into out: inout [UInt8],
        target: [UInt8]? = nil,
        framing: HTTPBodyFraming? = nil,
        extraHeaders: HTTPHeaders = HTTPHeaders(),
        removing: [String] = []
    ) {
        out.reserveCapacity(out.count + rawBytes.count + 64)
        out.append(contentsOf: rawBytes[0..<(targetRange.lowerBound - 1)])  // the method as received
        out.append(.sp)
        if let target {
            out.append(contentsOf: target)
        } else if targetForm == .absolute {
            if pathRange.isEmpty { out.append(UInt8(ascii: "/")) } else { out.append(contentsOf: rawBytes[pathRange]) }
            if let queryRange {
                out.append(UInt8(ascii: "?"))
                out.append(contentsOf: rawBytes[queryRange])
            }
        } else {
            out.append(contentsOf: rawBytes[targetRange])
        }
        out.append(contentsOf: HeadWriter.versionSuffix)
        HeadWriter.writeFields(
            headers, framing: framing ?? bodyFraming, keepContentLengthForNone: false,
            extra: extraHeaders, removing: removing, into: &out
        )
    }
}

extension HTTPResponseHead {
    /// Appends this head, ready to forward to the client, to `out`: `HTTP/1.1 SSS reason`, the fields minus
    /// hop-by-hop fields and `removing`, the framing field for `framing`, `extraHeaders`, CRLF.
    ///
    /// `framing`: `.contentLength(n)` writes `Content-Length: n`; `.chunked` writes `Transfer-Encoding: chunked`;
    /// `.none` keeps a received Content-Length (a HEAD or 304 answer's length) and no Transfer-Encoding;
    /// `.untilClose` writes neither (add `Connection: close` through `extraHeaders`).
    public func write(
        into out: inout [UInt8],
        framing: HTTPBodyFraming,
        extraHeaders: HTTPHeaders = HTTPHeaders(),
        removing: [String] = []
    ) {
        HTTPResponseHead.writeStatusLine(status: status, reason: rawBytes[reasonRange], into: &out)
        HeadWriter.writeFields(
            headers, framing: framing, keepContentLengthForNone: true,
            extra: extraHeaders, removing: removing, into: &out
        )
    }

    /// Appends a response head the proxy makes itself: `HTTP/1.1 SSS reason`, `headers`, CRLF.
    /// `status` is clamped to 100...999; reason bytes other than HTAB, SP, VCHAR and obs-text are dropped.
    public static func writeHead(status: Int, reason: String, headers: HTTPHeaders, into out: inout [UInt8]) {
        let reasonBytes = Array(reason.utf8).filter { ByteClass.isReason($0) }
        writeStatusLine(status: min(max(status, 100), 999), reason: reasonBytes[...], into: &out)
        for i in 0..<headers.count {
            out.append(contentsOf: headers.nameBytes(at: i))
            HeadWriter.appendColonSpace(&out)
            out.append(contentsOf: headers.valueBytes(at: i))
            HeadWriter.appendCRLF(&out)
        }
        HeadWriter.appendCRLF(&out)
    }

    static func writeStatusLine(status: Int, reason: ArraySlice<UInt8>, into out: inout [UInt8]) {
        out.append(contentsOf: HeadWriter.statusPrefix)
        HeadWriter.appendDecimal(status, to: &out)
        out.append(.sp)
        out.append(contentsOf: reason)
        HeadWriter.appendCRLF(&out)
    }
}
