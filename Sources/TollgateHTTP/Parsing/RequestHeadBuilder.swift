/// Turns a complete head found by `HeadScanner` into a validated `HTTPRequestHead`.
enum RequestHeadBuilder {
    static func build(
        _ buf: UnsafeRawBufferPointer,
        headStart: Int,
        startLineEnd: Int,
        end: Int
    ) throws(HTTPParseError) -> HTTPRequestHead {
        // request-line = method SP request-target SP HTTP-version (RFC 9112 section 3), single SPs only.
        var i = headStart
        while i < startLineEnd && ByteClass.isToken(buf[i]) { i += 1 }
        let methodEnd = i
        guard i < startLineEnd, buf[i] == .sp else {
            throw HTTPParseError(i == startLineEnd ? .invalidRequestLine : .invalidMethod, offset: i)
        }
        guard methodEnd > headStart else { throw HTTPParseError(.invalidRequestLine, offset: i) }
        let method = HTTPMethod.from(UnsafeRawBufferPointer(rebasing: buf[headStart..<methodEnd]))
        i += 1
        let targetStart = i
        while i < startLineEnd && buf[i] != .sp {
            if !ByteClass.isTarget(buf[i]) { throw HTTPParseError(.invalidTarget, offset: i) }
            i += 1
        }
        let targetEnd = i
        guard i < startLineEnd else { throw HTTPParseError(.invalidRequestLine, offset: i) }  // no version
        guard targetEnd > targetStart else { throw HTTPParseError(.invalidRequestLine, offset: i) }  // double SP
        i += 1
        let version = try parseVersion(buf, i, startLineEnd)
        if method == .connect { throw HTTPParseError(.unsupportedMethod, offset: headStart) }

        let raw = Array(UnsafeRawBufferPointer(rebasing: buf[headStart..<end]))
        let base = headStart
        let target = (targetStart - base)..<(targetEnd - base)
        let parts = try splitTarget(raw, target, method: method)

        var fields: [HTTPHeaders.Field] = []
        fields.reserveCapacity(16)
        let fieldsStart = startLineEnd + 2
        try FieldLineParser.parse(buf, from: fieldsStart, to: end - 2, base: base, into: &fields)

        // Field semantics, in a fixed order so a message with several faults always gets the same code.
        var hostIndex: Int? = nil
        var hostCount = 0
        var contentLengths: [Range<Int>] = []
        var transferEncodings: [Range<Int>] = []
        var connections: [Range<Int>] = []
        var expects: [Range<Int>] = []
        for (k, field) in fields.enumerated() {
            switch FieldSemantics.classify(raw, field.name) {
            case .host:
                hostCount += 1
                if hostIndex == nil { hostIndex = k }
            case .contentLength: contentLengths.append(field.value)
            case .transferEncoding: transferEncodings.append(field.value)
            case .connection: connections.append(field.value)
            case .expect: expects.append(field.value)
            case .other: break
            }
        }
        let headers = HTTPHeaders(storage: raw, fields: fields)

        // Host (RFC 9112 section 3.2, RFC 9110 section 7.2): exactly one for 1.1, at most one for 1.0.
        if hostCount > 1 { throw HTTPParseError(.multipleHost) }
        if let hostIndex {
            let value = fields[hostIndex].value
            if !FieldSemantics.isValidAuthority(raw, value, allowEmpty: true) {
                throw HTTPParseError(.invalidHost, offset: value.lowerBound + base)
            }
        } else if version == .http1_1 {
            throw HTTPParseError(.missingHost)
        }

        // Framing (RFC 9112 section 6): TE in 1.0 refused; CL with TE refused; only a final chunked.
        var framing = HTTPBodyFraming.none
        if !transferEncodings.isEmpty {
            if version == .http1_0 { throw HTTPParseError(.transferEncodingInHTTP10) }
            if !contentLengths.isEmpty { throw HTTPParseError(.conflictingContentLengthAndTransferEncoding) }
            try FieldSemantics.checkTransferEncoding(raw, transferEncodings)
            framing = .chunked
        } else if !contentLengths.isEmpty {
            var length: Int? = nil
            for value in contentLengths {
                let n = try FieldSemantics.contentLength(raw, value)
                if let length, length != n {
                    throw HTTPParseError(.duplicateContentLength, offset: value.lowerBound + base)
                }
                length = n
            }
            if let length { framing = .contentLength(length) }
        }

        // Expect (RFC 9110 section 10.1.1): only 100-continue; anything else 417.
        var expectsContinue = false
        for value in expects {
            for element in FieldSemantics.listElements(raw, value) {
                guard FieldSemantics.equalsLowercase(raw, element, "100-continue") else {
                    throw HTTPParseError(.expectationFailed, offset: element.lowerBound + base)
                }
                expectsContinue = true
            }
        }
        if version == .http1_0 { expectsContinue = false }

        let options = FieldSemantics.connectionOptions(raw, connections)
        let keepAlive = version == .http1_1 ? !options.close : (options.keepAlive && !options.close)

        return HTTPRequestHead(
            rawBytes: raw, method: method, version: version, headers: headers, bodyFraming: framing,
            keepAlive: keepAlive, expectsContinue: expectsContinue, targetForm: parts.form,
            targetRange: target, authorityRange: parts.authority, pathRange: parts.path, queryRange: parts.query,
            hostFieldIndex: hostIndex
        )
    }

    /// HTTP-version = "HTTP" "/" DIGIT "." DIGIT (RFC 9112 section 2.3); 1.0 and 1.1 accepted, other
    /// well-formed versions 505, anything else 400.
    static func parseVersion(_ buf: UnsafeRawBufferPointer, _ start: Int, _ end: Int) throws(HTTPParseError)
        -> HTTPVersion
    {
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        guard end - start == 8,
            buf[start] == UInt8(ascii: "H"), buf[start + 1] == UInt8(ascii: "T"),
            buf[start + 2] == UInt8(ascii: "T"), buf[start + 3] == UInt8(ascii: "P"),
            buf[start + 4] == UInt8(ascii: "/"), isDigit(buf[start + 5]),
            buf[start + 6] == UInt8(ascii: "."), isDigit(buf[start + 7])
        else { throw HTTPParseError(.invalidRequestLine, offset: start) }
        if buf[start + 5] == UInt8(ascii: "1") {
            if buf[start + 7] == UInt8(ascii: "1") { return .http1_1 }
            if buf[start + 7] == UInt8(ascii: "0") { return .http1_0 }
        }
        throw HTTPParseError(.unsupportedVersion, offset: start)
    }

    struct TargetParts {
        var form: HTTPTargetForm
        var authority: Range<Int>?
        var path: Range<Int>
        var query: Range<Int>?
    }

    /// Splits and checks the request-target (RFC 9112 section 3.2).
    static func splitTarget(_ raw: [UInt8], _ t: Range<Int>, method: HTTPMethod) throws(HTTPParseError) -> TargetParts {
        let first = raw[t.lowerBound]
        if first == UInt8(ascii: "*") {
            guard t.count == 1, method == .options else { throw HTTPParseError(.invalidTarget, offset: t.lowerBound) }
            return TargetParts(form: .asterisk, authority: nil, path: t.lowerBound..<t.lowerBound, query: nil)
        }
        if first == UInt8(ascii: "/") {
            let (path, query) = splitQuery(raw, t)
            return TargetParts(form: .origin, authority: nil, path: path, query: query)
        }
        // absolute-form: "http://" or "https://" (scheme case-insensitive), non-empty authority.
        var i = t.lowerBound
        for b in "http".utf8 {
            guard i < t.upperBound, ByteClass.lower(raw[i]) == b else {
                throw HTTPParseError(.invalidTarget, offset: i)
            }
            i += 1
        }
        if i < t.upperBound && ByteClass.lower(raw[i]) == UInt8(ascii: "s") { i += 1 }
        for b in "://".utf8 {
            guard i < t.upperBound, raw[i] == b else { throw HTTPParseError(.invalidTarget, offset: i) }
            i += 1
        }
        let authorityStart = i
        while i < t.upperBound && raw[i] != UInt8(ascii: "/") && raw[i] != UInt8(ascii: "?") { i += 1 }
        let authority = authorityStart..<i
        guard FieldSemantics.isValidAuthority(raw, authority, allowEmpty: false) else {
            throw HTTPParseError(.invalidTarget, offset: authorityStart)
        }
        let (path, query) = splitQuery(raw, i..<t.upperBound)
        return TargetParts(form: .absolute, authority: authority, path: path, query: query)
    }

    static func splitQuery(_ raw: [UInt8], _ r: Range<Int>) -> (Range<Int>, Range<Int>?) {
        var i = r.lowerBound
        while i < r.upperBound {
            if raw[i] == UInt8(ascii: "?") { return (r.lowerBound..<i, (i + 1)..<r.upperBound) }
            i += 1
        }
        return (r, nil)
    }
}
