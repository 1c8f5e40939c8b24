import TollgateConfig

/// Strict request-head parsing over bytes (RFC 9112 sections 2-7); no copies, ranges into the input.
enum RequestHeadParser {
    /// Checks a head that has no end yet against the limits: 414 when the request line alone is over
    /// `maxRequestLineBytes`, 431 when the head is over `maxHeaderBytes`; nil while it may still fit.
    static func checkIncomplete(_ bytes: UnsafeRawBufferPointer, limits: HTTPSettings) -> RequestHeadError? {
        let lineEnd = bytes.firstIndex(of: 0x0A) ?? bytes.count
        if lineEnd > limits.maxRequestLineBytes + 1 { return .requestLineTooLong }
        if bytes.count > limits.maxHeaderBytes { return .headerTooLarge }
        // A NUL or bare CR in the first line can be refused early.
        return nil
    }

    /// Parses `bytes[0..<end]` (`end` just past the empty line). Fields go to `fields` (cleared first).
    static func parse(
        _ bytes: UnsafeRawBufferPointer,
        end: Int,
        limits: HTTPSettings,
        fields: inout ContiguousArray<HeaderField>
    ) -> Result<RequestHead, RequestHeadError> {
        fields.removeAll(keepingCapacity: true)
        if end > limits.maxHeaderBytes { return .failure(.headerTooLarge) }
        var head = RequestHead()
        head.length = end

        // Request line (RFC 9112 3): method SP request-target SP HTTP-version CRLF.
        guard let lineEnd = lineEnd(bytes, from: 0, end: end) else { return .failure(.malformed) }
        if lineEnd > limits.maxRequestLineBytes { return .failure(.requestLineTooLong) }
        var position = 0
        while position < lineEnd && ByteClass.token[Int(bytes[position])] { position += 1 }
        guard position > 0, position < lineEnd, bytes[position] == 0x20 else { return .failure(.malformed) }
        head.method = 0..<position
        position += 1
        let targetStart = position
        while position < lineEnd && ByteClass.isTarget(bytes[position]) { position += 1 }
        guard position > targetStart, position < lineEnd, bytes[position] == 0x20 else { return .failure(.malformed) }
        head.target = targetStart..<position
        // Origin form only (RFC 9112 3.2.1): a reverse proxy serves its own paths.
        guard bytes[targetStart] == UInt8(ascii: "/") else { return .failure(.malformed) }
        position += 1
        guard lineEnd - position == 8 else { return .failure(.malformed) }
        guard KnownHeader.matches(bytes, position..<(position + 5), "http/"), bytes[position] == UInt8(ascii: "H"),
            bytes[position + 6] == UInt8(ascii: ".")
        else { return .failure(.malformed) }
        let major = bytes[position + 5]
        let minor = bytes[position + 7]
        guard (0x30...0x39).contains(major), (0x30...0x39).contains(minor) else { return .failure(.malformed) }
        guard major == UInt8(ascii: "1"), minor == UInt8(ascii: "0") || minor == UInt8(ascii: "1") else {
            return .failure(.unsupportedVersion)
        }
        head.minorVersion = Int(minor - 0x30)
        head.keepAlive = head.minorVersion == 1
        var sawKeepAliveToken = false
        var sawCloseToken = false
        var transferEncodingSeen = false

        // Header fields (RFC 9112 5): field-name ":" OWS field-value OWS CRLF.
        position = lineEnd + 2
        while position < end - 2 {
            guard let fieldEnd = Self.lineEnd(bytes, from: position, end: end) else { return .failure(.malformed) }
            let first = bytes[position]
            if first == 0x20 || first == 0x09 { return .failure(.malformed) }  // obs-fold (RFC 9112 5.2)
            var cursor = position
            while cursor < fieldEnd && ByteClass.token[Int(bytes[cursor])] { cursor += 1 }
            // No whitespace between name and colon (RFC 9112 5.1).
            guard cursor > position, cursor < fieldEnd, bytes[cursor] == UInt8(ascii: ":") else {
                return .failure(.malformed)
            }
            let name = position..<cursor
            cursor += 1
            while cursor < fieldEnd && (bytes[cursor] == 0x20 || bytes[cursor] == 0x09) { cursor += 1 }
            var valueEnd = fieldEnd
            while valueEnd > cursor && (bytes[valueEnd - 1] == 0x20 || bytes[valueEnd - 1] == 0x09) { valueEnd -= 1 }
            for index in cursor..<valueEnd where !ByteClass.isFieldValue(bytes[index]) { return .failure(.malformed) }
            let value = cursor..<valueEnd
            fields.append(HeaderField(name: name, value: value))
            if fields.count > limits.maxHeaderCount { return .failure(.tooManyFields) }

            switch KnownHeader.classify(bytes, name) {
            case .host:
                guard head.host == nil, isValidHost(bytes, value) else { return .failure(.missingHost) }
                head.host = value
            case .contentLength:
                guard let length = parseLength(bytes, value) else { return .failure(.badFraming) }
                if let previous = head.contentLength, previous != length { return .failure(.badFraming) }
                head.contentLength = length
            case .transferEncoding:
                // Only a single, final `chunked` (RFC 9112 6.1); other codings are not decoded here.
                guard !transferEncodingSeen, head.minorVersion == 1 else { return .failure(.badFraming) }
                transferEncodingSeen = true
                guard KnownHeader.matches(bytes, value, "chunked") else {
                    return .failure(containsChunked(bytes, value) ? .badFraming : .unsupportedEncoding)
                }
                head.chunked = true
            case .connection:
                forEachToken(bytes, value) { token in
                    if KnownHeader.matches(bytes, token, "close") {
                        sawCloseToken = true
                    } else if KnownHeader.matches(bytes, token, "keep-alive") {
                        sawKeepAliveToken = true
                    } else {
                        head.hasConnectionOptions = true
                    }
                }
            case .expect:
                guard KnownHeader.matches(bytes, value, "100-continue") else {
                    return .failure(.unsupportedExpectation)
                }
                head.expectContinue = true
            case .xRequestID:
                if head.requestID == nil { head.requestID = value }
            case .xForwardedFor:
                if head.forwardedFor == nil { head.forwardedFor = value }
            case .forwarded:
                if head.forwarded == nil { head.forwarded = value }
            case .other, .keepAlive, .proxyConnection, .te, .trailer, .upgrade:
                break
            }
            position = fieldEnd + 2
        }
        head.fieldCount = fields.count

        // Both framings at once is the classic smuggling vector (RFC 9112 6.3): refuse.
        if head.chunked && head.contentLength != nil { return .failure(.badFraming) }
        if head.minorVersion == 1 && head.host == nil { return .failure(.missingHost) }
        if sawCloseToken {
            head.keepAlive = false
        } else if head.minorVersion == 0 && sawKeepAliveToken {
            head.keepAlive = true
        }
        return .success(head)
    }

    /// Index of the CR of the CRLF ending the line that starts at `start`; nil for a bare CR or LF or a NUL.
    @inline(__always)
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

    /// `1*DIGIT`, at most 18 digits (no sign, no hex, no list).
    static func parseLength(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 18 else { return nil }
        var value = 0
        for index in range {
            let byte = bytes[index]
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    static func isValidHost(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        guard !range.isEmpty, range.count <= 255 else { return false }
        for index in range {
            switch bytes[index] {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"),
                UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "~"), UInt8(ascii: "%"):
                continue
            default:
                return false
            }
        }
        return true
    }

    static func containsChunked(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        var found = false
        forEachToken(bytes, range) { token in
            if KnownHeader.matches(bytes, token, "chunked") { found = true }
        }
        return found
    }

    /// Calls `body` with each comma-separated token range, trimmed of whitespace.
    static func forEachToken(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ body: (Range<Int>) -> Void) {
        var start = range.lowerBound
        var position = range.lowerBound
        while position <= range.upperBound {
            if position == range.upperBound || bytes[position] == UInt8(ascii: ",") {
                var lower = start
                var upper = position
                while lower < upper && (bytes[lower] == 0x20 || bytes[lower] == 0x09) { lower += 1 }
                while upper > lower && (bytes[upper - 1] == 0x20 || bytes[upper - 1] == 0x09) { upper -= 1 }
                if lower < upper { body(lower..<upper) }
                start = position + 1
            }
            position += 1
        }
    }
}
