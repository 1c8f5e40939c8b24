/// A per-request audit record: the request line, selected headers (secrets redacted), the rules that matched
/// and the verdict. `jsonLine` renders it as one JSON line.
public struct AuditRecord: Sendable, Equatable {
    public var uniqueID: String
    public var method: String
    public var uri: String
    public var remoteAddress: String
    /// Headers as received, with `Authorization`, cookies and configured fields replaced by `[redacted]`.
    public var requestHeaders: [[String]]
    public var responseStatus: Int?
    public var matchedRules: [MatchedRule]
    public var verdict: Verdict
    public var wouldBlock: Verdict?
    public var anomalyScores: AnomalyScores

    /// The record as a single JSON object line (no trailing newline).
    public var jsonLine: String {
        var out = "{\"unique_id\":\(json(uniqueID)),\"method\":\(json(method)),\"uri\":\(json(uri)),"
        out += "\"remote_addr\":\(json(remoteAddress)),\"request_headers\":{"
        out += requestHeaders.map { "\(json($0[0])):\(json($0[1]))" }.joined(separator: ",")
        out += "},"
        if let s = responseStatus { out += "\"response_status\":\(s)," }
        out += "\"verdict\":\(json(describe(verdict))),"
        if let w = wouldBlock { out += "\"would_block\":\(json(describe(w)))," }
        out +=
            "\"inbound_anomaly_score\":\(anomalyScores.inbound),\"outbound_anomaly_score\":\(anomalyScores.outbound),"
        out += "\"rules\":["
        out += matchedRules.map { r in
            var s = "{\"id\":\(r.id),\"phase\":\(r.phase),\"msg\":\(json(r.message)),\"data\":\(json(r.logData)),"
            if let sev = r.severity { s += "\"severity\":\(sev)," }
            s += "\"tags\":[\(r.tags.map(json).joined(separator: ","))],\"var\":\(json(r.matchedVariableName))}"
            return s
        }.joined(separator: ",")
        out += "]}"
        return out
    }

    func describe(_ v: Verdict) -> String {
        switch v {
        case .allow: return "allow"
        case .block(let status, let id): return "block status=\(status) rule=\(id)"
        case .drop(let id): return "drop rule=\(id)"
        case .redirect(let status, let location, let id):
            return "redirect status=\(status) location=\(location) rule=\(id)"
        }
    }

    func json(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}

extension Transaction {
    /// Whether this transaction should be written to the audit log under `SecAuditEngine` (or
    /// `ctl:auditEngine`): `On` always, `RelevantOnly` when a logged rule matched or the verdict is not allow,
    /// `Off` never.
    public var auditWanted: Bool {
        switch settings.auditEngine.lowercased() {
        case "on": return true
        case "relevantonly":
            return verdict != .allow || wouldBlock != nil || matchedRules.contains { $0.logged }
        default: return false
        }
    }

    /// Builds the audit record (phase 5 calls this; callable any time).
    public func auditRecord() -> AuditRecord {
        let headers = requestHeaders.map { h -> [String] in
            let name = h.key.string
            let redacted = engine.redactedFields.contains(name.lowercased())
            return [name, redacted ? "[redacted]" : h.value.string]
        }
        return AuditRecord(
            uniqueID: uniqueID, method: method.string, uri: redactedURI(), remoteAddress: request.remoteAddress,
            requestHeaders: headers, responseStatus: responseStatus, matchedRules: matchedRules.map(redact),
            verdict: verdict, wouldBlock: wouldBlock, anomalyScores: anomalyScores)
    }

    /// The request-target with the values of redacted query arguments replaced.
    func redactedURI() -> String {
        guard let q = uriRaw.firstIndex(of: UInt8(ascii: "?")) else { return uriRaw.string }
        let parts = uriRaw[(q + 1)...].split(separator: settings.argumentSeparator, omittingEmptySubsequences: false)
        let rewritten = parts.map { part -> [UInt8] in
            let eq = part.firstIndex(of: UInt8(ascii: "=")) ?? part.endIndex
            let name = URLCoding.percentDecode(part[part.startIndex..<eq], plusAsSpace: true).string.lowercased()
            guard engine.redactedFields.contains(name), eq < part.endIndex else { return Array(part) }
            return Array(part[part.startIndex...eq]) + Array("[redacted]".utf8)
        }
        var out = Array(uriRaw[...q])
        for (i, part) in rewritten.enumerated() {
            if i > 0 { out.append(settings.argumentSeparator) }
            out += part
        }
        return out.string
    }

    /// Redacts matched values of sensitive variables from messages and log data.
    func redact(_ rule: MatchedRule) -> MatchedRule {
        var r = rule
        let name = rule.matchedVariableName.lowercased()
        let sensitive = engine.redactedFields.contains { field in
            name == "request_headers:\(field)" || name == "args:\(field)" || name == "args_post:\(field)"
                || name == "args_get:\(field)" || name.hasPrefix("request_cookies")
        }
        if sensitive {
            r.logData = "[redacted]"
            r.message = r.message.isEmpty ? "" : "[redacted]"
        }
        return r
    }
}
