/// Byte-level helpers for the header fields that decide framing and connection handling.
enum FieldSemantics {
    /// The header fields the parser interprets, recognised by length then case-insensitive bytes.
    enum Known {
        case host, contentLength, transferEncoding, connection, expect, other
    }

    static func classify(_ storage: [UInt8], _ name: Range<Int>) -> Known {
        @inline(__always) func eq(_ literal: StaticString) -> Bool {
            guard literal.utf8CodeUnitCount == name.count else { return false }
            let lit = literal.utf8Start
            var j = 0
            for i in name {
                if ByteClass.lower(storage[i]) != lit[j] { return false }
                j += 1
            }
            return true
        }
        switch name.count {
        case 4: return eq("host") ? .host : .other
        case 6: return eq("expect") ? .expect : .other
        case 10: return eq("connection") ? .connection : .other
        case 14: return eq("content-length") ? .contentLength : .other
        case 17: return eq("transfer-encoding") ? .transferEncoding : .other
        default: return .other
        }
    }

    /// Splits a comma-separated list value (RFC 9110 section 5.6.1) into OWS-trimmed element ranges.
    /// Empty elements are returned as empty ranges so strict callers can reject them.
    static func listElements(_ storage: [UInt8], _ value: Range<Int>) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = value.lowerBound
        var i = value.lowerBound
        while i <= value.upperBound {
            if i == value.upperBound || storage[i] == .comma {
                var s = start
                var e = i
                while s < e && (storage[s] == .sp || storage[s] == .htab) { s += 1 }
                while e > s && (storage[e - 1] == .sp || storage[e - 1] == .htab) { e -= 1 }
                out.append(s..<e)
                start = i + 1
            }
            i += 1
        }
        return out
    }

    static func equalsLowercase(_ storage: [UInt8], _ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard literal.utf8CodeUnitCount == range.count else { return false }
        let lit = literal.utf8Start
        var j = 0
        for i in range {
            if ByteClass.lower(storage[i]) != lit[j] { return false }
            j += 1
        }
        return true
    }

    /// Largest Content-Length accepted: 2^53 bytes (exactly representable as a Double, far above any limit).
    static let maxContentLength = 1 << 53

    /// Parses one Content-Length field value: `1*DIGIT`, or a comma list of identical values
    /// (RFC 9110 section 8.6). Signs, hex, spaces inside numbers and overflow are rejected.
    static func contentLength(_ storage: [UInt8], _ value: Range<Int>) throws(HTTPParseError) -> Int {
        var result: Int? = nil
        for element in listElements(storage, value) {
            guard !element.isEmpty, element.count <= 16 else {
                throw HTTPParseError(.invalidContentLength, offset: element.lowerBound)
            }
            var n = 0
            for i in element {
                let b = storage[i]
                guard b >= 0x30 && b <= 0x39 else { throw HTTPParseError(.invalidContentLength, offset: i) }
                n = n * 10 + Int(b - 0x30)
            }
            guard n <= maxContentLength else { throw HTTPParseError(.invalidContentLength, offset: element.lowerBound) }
            if let r = result, r != n { throw HTTPParseError(.duplicateContentLength, offset: element.lowerBound) }
            result = n
        }
        guard let result else { throw HTTPParseError(.invalidContentLength, offset: value.lowerBound) }
        return result
    }

    /// Validates a Transfer-Encoding list (all fields, in order) for a message we will decode:
    /// exactly one final `chunked` (case-insensitive), nothing else (RFC 9112 sections 6.1 and 6.3).
    /// - malformed element, parameters, `chunked` not last, or `chunked` twice: `invalidTransferEncoding` (400);
    /// - other codings before a final `chunked` (`gzip, chunked`): `unsupportedTransferEncoding` (501).
    static func checkTransferEncoding(_ storage: [UInt8], _ values: [Range<Int>]) throws(HTTPParseError) {
        var elements: [Range<Int>] = []
        for v in values { elements.append(contentsOf: listElements(storage, v)) }
        var sawOther = false
        for (k, element) in elements.enumerated() {
            guard !element.isEmpty, element.allSatisfy({ ByteClass.isToken(storage[$0]) }) else {
                throw HTTPParseError(.invalidTransferEncoding, offset: element.lowerBound)
            }
            let isChunked = equalsLowercase(storage, element, "chunked")
            if k == elements.count - 1 {
                if !isChunked { throw HTTPParseError(.invalidTransferEncoding, offset: element.lowerBound) }
            } else if isChunked {
                throw HTTPParseError(.invalidTransferEncoding, offset: element.lowerBound)
            } else {
                sawOther = true
            }
        }
        if elements.isEmpty { throw HTTPParseError(.invalidTransferEncoding) }
        if sawOther { throw HTTPParseError(.unsupportedTransferEncoding) }
    }

    /// Connection options (RFC 9112 section 9.3): whether `close` and `keep-alive` are listed.
    static func connectionOptions(_ storage: [UInt8], _ values: [Range<Int>]) -> (close: Bool, keepAlive: Bool) {
        var close = false
        var keepAlive = false
        for v in values {
            for e in listElements(storage, v) {
                if equalsLowercase(storage, e, "close") { close = true }
                if equalsLowercase(storage, e, "keep-alive") { keepAlive = true }
            }
        }
        return (close, keepAlive)
    }

    /// Validates `authority = host [ ":" port ]` (RFC 3986 section 3.2, no userinfo per RFC 9110 section 4.2.1).
    /// The host may be empty only when `allowEmpty` (an empty Host field, RFC 9110 section 7.2).
    /// Port: at most 5 digits, at most 65535 (stricter than RFC 3986, which allows any digits).
    static func isValidAuthority(_ s: [UInt8], _ r: Range<Int>, allowEmpty: Bool) -> Bool {
        if r.isEmpty { return allowEmpty }
        var i = r.lowerBound
        if s[i] == UInt8(ascii: "[") {
            // IP-literal: IPv6address; checked loosely for its alphabet (hex, ":", ".").
            i += 1
            let start = i
            while i < r.upperBound && s[i] != UInt8(ascii: "]") {
                let b = s[i]
                guard ByteClass.isHex(b) || b == .colon || b == UInt8(ascii: ".") else { return false }
                i += 1
            }
            guard i < r.upperBound, i - start >= 2 else { return false }
            i += 1
        } else {
            while i < r.upperBound && s[i] != .colon {
                let b = s[i]
                guard ByteClass.isRegName(b) else { return false }
                if b == UInt8(ascii: "%") {
                    guard i + 2 < r.upperBound, ByteClass.isHex(s[i + 1]), ByteClass.isHex(s[i + 2]) else {
                        return false
                    }
                }
                i += 1
            }
            if i == r.lowerBound { return false }  // ":80" has no host
        }
        if i == r.upperBound { return true }
        guard s[i] == .colon else { return false }
        i += 1
        let digits = r.upperBound - i
        guard digits <= 5 else { return false }
        var port = 0
        while i < r.upperBound {
            let b = s[i]
            guard b >= 0x30 && b <= 0x39 else { return false }
            port = port * 10 + Int(b - 0x30)
            i += 1
        }
        return port <= 65535
    }
}
