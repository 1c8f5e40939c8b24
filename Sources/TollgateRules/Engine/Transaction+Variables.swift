/// A value a rule inspects, with the name MATCHED_VAR_NAME reports.
struct TargetValue {
    var variable: Variable
    var key: [UInt8]?
    var value: [UInt8]
    /// Identity of a request-derived value (its index in the collection; 0 for a scalar), or -1 when
    /// the value can change during the transaction (TX, MATCHED_VARS, counts): the transformation cache key.
    var slot: Int = -1

    var name: [UInt8] {
        let prefix = Variable.nameBytes[variable.ordinal]
        guard let key else { return prefix }
        // One allocation (concatenation allocated once per `+`).
        var out: [UInt8] = []
        out.reserveCapacity(prefix.count + 1 + key.count)
        out += prefix
        out.append(UInt8(ascii: ":"))
        out += key
        return out
    }
}

extension Transaction {
    /// `keyMatches(target.key!, key, variable:)` without copying the selector (the target must have a key).
    @inline(__always)
    func keyMatches(target: VariableTarget, _ key: [UInt8], variable: Variable) -> Bool {
        if let k = target.literalKey {
            return variable.caseInsensitiveKeys ? key.equalsIgnoringCase(k) : key == k
        }
        if let prefix = target.keyPrefix {
            return key.hasPrefix(prefix, ignoringCase: variable.caseInsensitiveKeys)
        }
        if let matcher = target.keyMatcher {
            if let clauses = target.keyClauses, !Self.satisfies(clauses, key) { return false }
            var context = OperatorContext()
            return matcher.evaluate(key, context: &context) == .match
        }
        return false
    }

    /// Whether every clause has a literal (lowercase) in `key`, compared lowercased.
    static func satisfies(_ clauses: [[[UInt8]]], _ key: [UInt8]) -> Bool {
        clauses.allSatisfy { clause in clause.contains { ByteSearch.containsLowercased($0, in: key) } }
    }

    func keyMatches(_ selector: KeySelector, _ key: [UInt8], variable: Variable) -> Bool {
        switch selector {
        case .literal(let k):
            return variable.caseInsensitiveKeys ? key.equalsIgnoringCase(k) : key == k
        case .regex(_, let matcher):
            var context = OperatorContext()
            return matcher.evaluate(key, context: &context) == .match
        case .xpath:
            return false
        }
    }

    /// All values of one (non-excluding) target, key-filtered.
    func values(of target: VariableTarget) -> [TargetValue] {
        let variable = target.variable
        if variable == .xml {
            guard let xml else { return [] }
            guard case .xpath(let path)? = target.key else {
                return [TargetValue(variable: .xml, key: nil, value: xml.text)]
            }
            if path.hasSuffix("@*") || path.contains("/@") {
                return xml.attributes.enumerated().map {
                    TargetValue(variable: .xml, key: Array(path.utf8), value: $0.element, slot: $0.offset + 1)
                }
            }
            return [TargetValue(variable: .xml, key: Array(path.utf8), value: xml.text, slot: 0)]
        }
        if variable.isCollection {
            if let key = target.literalKey, let store = stores[variable] {
                // Direct lookup for TX:name and friends (keys stored lowercase in the index).
                guard let value = store[lowercased: key] else { return [] }
                return [TargetValue(variable: variable, key: key, value: value)]
            } else if target.literalKey != nil, Self.isStore(variable) {
                return []
            }
            let all = entries(of: variable)
            let stable = Self.isRequestDerived(variable)
            var out: [TargetValue] = []
            out.reserveCapacity(all.count)
            for (index, e) in all.enumerated() {
                if target.hasKey, !keyMatches(target: target, e.key, variable: variable) { continue }
                out.append(TargetValue(variable: variable, key: e.key, value: e.value, slot: stable ? index : -1))
            }
            return out
        }
        guard let v = scalar(variable) else { return [] }
        return [
            TargetValue(
                variable: variable, key: nil, value: v, slot: Self.isRequestDerived(variable) ? 0 : -1)
        ]
    }

    /// Values that do not change once the request (or response) part they come from is known.
    static func isRequestDerived(_ v: Variable) -> Bool {
        switch v {
        case .args, .argsNames, .argsGet, .argsGetNames, .argsPost, .argsPostNames, .requestHeaders,
            .requestHeadersNames, .requestCookies, .requestCookiesNames, .requestFilename, .requestBasename,
            .requestURI, .requestURIRaw, .requestLine, .requestMethod, .requestProtocol, .queryString, .requestBody,
            .files, .filesNames, .multipartPartHeaders, .responseHeaders, .responseHeadersNames, .responseBody,
            .xml:
            return true
        default:
            return false
        }
    }

    static func isStore(_ v: Variable) -> Bool {
        switch v {
        case .tx, .ip, .session, .global, .user, .resource: return true
        default: return false
        }
    }

    var args: [Entry] {
        if let argsCache { return argsCache }
        let all = argsGet + argsPost + argsJSON
        argsCache = all
        return all
    }

    func entries(of variable: Variable) -> [Entry] {
        switch variable {
        case .args: return args
        case .argsNames: return args.map { Entry($0.key, $0.key) }
        case .argsGet: return argsGet
        case .argsGetNames: return argsGet.map { Entry($0.key, $0.key) }
        case .argsPost: return argsPost
        case .argsPostNames: return argsPost.map { Entry($0.key, $0.key) }
        case .requestHeaders: return requestHeaders
        case .requestHeadersNames: return requestHeaders.map { Entry($0.key, $0.key) }
        case .requestCookies: return cookies
        case .requestCookiesNames: return cookies.map { Entry($0.key, $0.key) }
        case .responseHeaders: return responseHeaders
        case .responseHeadersNames: return responseHeaders.map { Entry($0.key, $0.key) }
        case .files: return files
        case .filesNames: return files.map { Entry($0.key, $0.key) }
        case .filesSizes: return fileSizes
        case .filesTmpNames, .filesTmpContent: return []
        case .multipartPartHeaders: return multipart.partHeaders
        case .tx, .ip, .session, .global, .user, .resource: return stores[variable]?.entries ?? []
        case .env: return env
        case .matchedVars: return visibleMatchedVars.map { Entry($0.name, $0.value) }
        case .matchedVarsNames: return visibleMatchedVars.map { Entry($0.name, $0.name) }
        case .rule: return ruleEntries()
        default: return []
        }
    }

    func ruleEntries() -> [Entry] {
        guard let rule = currentRule else { return [] }
        var out = [Entry(Array("id".utf8), Array(String(rule.id).utf8))]
        if let m = rule.actions.message { out.append(Entry(Array("msg".utf8), Array(m.text.utf8))) }
        if let p = rule.actions.phase { out.append(Entry(Array("phase".utf8), Array(String(p).utf8))) }
        if let s = rule.actions.severity { out.append(Entry(Array("severity".utf8), Array(String(s).utf8))) }
        if let v = rule.actions.version { out.append(Entry(Array("ver".utf8), Array(v.utf8))) }
        if let r = rule.actions.revision { out.append(Entry(Array("rev".utf8), Array(r.utf8))) }
        return out
    }

    func number(_ n: Int) -> [UInt8] { Self.number(n) }

    /// Decimal text of `n`. Anomaly scores, counts and lengths are small: those come from a table built once
    /// (no allocation; CRS adds a score or sets a counter a few dozen times a request).
    static func number(_ n: Int) -> [UInt8] {
        if n >= 0 && n < smallNumbers.count { return smallNumbers[n] }
        return Array(String(n).utf8)
    }

    static let smallNumbers: [[UInt8]] = (0..<1024).map { Array(String($0).utf8) }

    func scalar(_ variable: Variable) -> [UInt8]? {
        switch variable {
        case .argsCombinedSize: return number(args.reduce(0) { $0 + $1.key.count + $1.value.count })
        case .requestFilename: return filename
        case .requestBasename: return basename
        case .requestURI: return uri
        case .requestURIRaw: return uriRaw
        case .requestLine: return requestLine
        case .requestMethod: return method
        case .requestProtocol: return request.version
        case .queryString: return queryString
        case .requestBody:
            // As ModSecurity: the raw body is a variable for URLENCODED bodies or when forced.
            return reqbodyProcessor == "URLENCODED" || forceRequestBodyVariable ? requestBody : nil
        case .requestBodyLength: return number(requestBodyLength)
        case .reqbodyProcessor: return Array((reqbodyProcessor ?? "").utf8)
        case .reqbodyError, .reqbodyProcessorError: return reqbodyError ? [UInt8(ascii: "1")] : [UInt8(ascii: "0")]
        case .reqbodyErrorMsg, .reqbodyProcessorErrorMsg: return Array(reqbodyErrorMessage.utf8)
        case .inboundDataError: return inboundDataError ? [UInt8(ascii: "1")] : [UInt8(ascii: "0")]
        case .outboundDataError: return outboundDataError ? [UInt8(ascii: "1")] : [UInt8(ascii: "0")]
        case .multipartStrictError: return flag(multipart.strictError)
        case .multipartUnmatchedBoundary: return flag(multipart.unmatchedBoundary)
        case .multipartBoundaryQuoted: return flag(multipart.boundaryQuoted)
        case .multipartBoundaryWhitespace: return flag(multipart.boundaryWhitespace)
        case .multipartDataBefore: return flag(multipart.dataBefore)
        case .multipartDataAfter: return flag(multipart.dataAfter)
        case .multipartHeaderFolding: return flag(multipart.headerFolding)
        case .multipartLFLine: return flag(multipart.lfLine)
        case .multipartMissingSemicolon: return flag(multipart.missingSemicolon)
        case .multipartInvalidQuoting: return flag(multipart.invalidQuoting)
        case .multipartInvalidPart: return flag(multipart.invalidPart)
        case .multipartInvalidHeaderFolding: return flag(multipart.invalidHeaderFolding)
        case .multipartFileLimitExceeded: return flag(multipart.fileLimitExceeded)
        case .multipartCRLFLFLines: return flag(multipart.crlfLFLines)
        case .multipartFilename: return multipart.lastFilename
        case .multipartName: return multipart.lastName
        case .filesCombinedSize: return number(fileSizes.reduce(0) { $0 + $1.value.integerValue })
        case .responseStatus: return responseStatus.map(number)
        case .responseProtocol: return responseStatus == nil ? nil : responseProtocol
        case .responseBody: return responseBody
        case .responseContentType:
            let n = Array("content-type".utf8)
            return responseHeaders.first(where: { $0.key.equalsIgnoringCase(n) })?.value
        case .responseContentLength:
            let n = Array("content-length".utf8)
            return responseHeaders.first(where: { $0.key.equalsIgnoringCase(n) })?.value
        case .matchedVar: return matchedVar
        case .matchedVarName: return matchedVarName
        case .remoteAddr: return Array(request.remoteAddress.utf8)
        case .remotePort: return number(request.remotePort)
        case .remoteHost: return Array(request.remoteAddress.utf8)
        case .serverAddr: return Array(request.serverAddress.utf8)
        case .serverPort: return number(request.serverPort)
        case .serverName:
            guard var host = headerValue("host") else { return nil }
            if let colon = host.lastIndex(of: UInt8(ascii: ":")),
                !host.contains(UInt8(ascii: "]")) || host.last != UInt8(ascii: "]")
            {
                host = Array(host[..<colon])
            }
            return host
        case .uniqueID: return Array(uniqueID.utf8)
        case .duration: return number(nowMicroseconds() - startMicroseconds)
        case .highestSeverity: return number(highestSeverity)
        case .statusLine:
            guard let s = responseStatus else { return nil }
            return responseProtocol + [32] + number(s)
        case .fullRequest:
            var out = requestLine + [13, 10]
            for h in requestHeaders { out += h.key + [58, 32] + h.value + [13, 10] }
            return out + [13, 10] + (requestBody ?? [])
        case .fullRequestLength: return number(scalar(.fullRequest)?.count ?? 0)
        case .authType, .webserverErrorLog: return nil
        case .time, .timeEpoch, .timeYear, .timeMon, .timeDay, .timeHour, .timeMin, .timeSec, .timeWDay:
            return timeValue(variable)
        default: return nil
        }
    }

    func flag(_ b: Bool) -> [UInt8] { b ? [UInt8(ascii: "1")] : [UInt8(ascii: "0")] }
}
