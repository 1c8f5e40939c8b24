/// One audit-log line for a request Tollgate refused: which rules matched and why.
///
/// Matched data is truncated to ``maxDataBytes`` and masked when it came from a secret field (the variable
/// name, e.g. `REQUEST_HEADERS:Authorization`, is checked with the ``Redactor``).
public struct AuditRecord: Sendable, Equatable {
    /// One rule match.
    public struct Match: Sendable, Equatable {
        public var ruleId: Int
        public var message: String
        public var severity: String
        /// The variable that matched (e.g. `ARGS:id`).
        public var variable: String
        /// The matched value (the rule's `logdata`).
        public var data: String

        public init(ruleId: Int, message: String, severity: String = "", variable: String = "", data: String = "") {
            self.ruleId = ruleId
            self.message = message
            self.severity = severity
            self.variable = variable
            self.data = data
        }
    }

    /// Matched data longer than this is cut (on a character boundary) and marked with `…`.
    public static let maxDataBytes = 256

    public var requestId: String
    public var function: String
    public var clientKeyHash: String
    public var method: String
    public var path: String
    public var status: Int
    public var action: RequestAction
    public var anomalyScore: Int
    public var matches: [Match]

    public init(
        requestId: String, function: String, clientKeyHash: String, method: String, path: String, status: Int,
        action: RequestAction, anomalyScore: Int, matches: [Match]
    ) {
        self.requestId = requestId
        self.function = function
        self.clientKeyHash = clientKeyHash
        self.method = method
        self.path = path
        self.status = status
        self.action = action
        self.anomalyScore = anomalyScore
        self.matches = matches
    }

    /// The JSON line (ending in `\n`).
    public func render(
        redactor: Redactor = Redactor(), timestampMilliseconds: Int64 = RFC3339.nowMilliseconds()
    ) -> [UInt8] {
        var writer = JSONLineWriter(capacity: 512)
        writer.field("ts", RFC3339.format(milliseconds: timestampMilliseconds))
        writer.field("type", "audit")
        writer.field("request_id", requestId)
        writer.field("function", function)
        writer.field("client", clientKeyHash)
        writer.field("method", method)
        writer.field("path", pathWithoutQuery(path))
        writer.field("status", status)
        writer.field("action", action.rawValue)
        writer.field("anomaly_score", anomalyScore)
        writer.field("rule_ids", matches.map(\.ruleId))
        var array: [UInt8] = [UInt8(ascii: "[")]
        for (i, match) in matches.enumerated() {
            if i > 0 { array.append(UInt8(ascii: ",")) }
            var object = JSONLineWriter(capacity: 128)
            object.field("id", match.ruleId)
            object.field("msg", match.message)
            if !match.severity.isEmpty { object.field("severity", match.severity) }
            if !match.variable.isEmpty { object.field("variable", match.variable) }
            if !match.data.isEmpty {
                object.field("data", redactor.isSecret(match.variable) ? Redactor.mask : truncate(match.data))
            }
            var line = object.finish()
            line.removeLast()  // the newline
            array.append(contentsOf: line)
        }
        array.append(UInt8(ascii: "]"))
        writer.rawField("matches", array)
        return writer.finish()
    }

    func truncate(_ data: String) -> String {
        guard data.utf8.count > AuditRecord.maxDataBytes else { return data }
        var out = ""
        var used = 0
        for character in data {
            let size = character.utf8.count
            if used + size > AuditRecord.maxDataBytes { break }
            out.append(character)
            used += size
        }
        return out + "…"
    }
}
