/// One access-log line: what happened to one request, without secrets or raw client identities.
///
/// The client is identified only by ``clientKeyHash`` (a ``ClientKeyHasher`` pseudonym); the path is logged
/// without its query (queries carry tokens); no header is logged. Durations are milliseconds.
public struct AccessLogRecord: Sendable, Equatable {
    public var requestId: String
    public var function: String
    public var clientKeyHash: String
    public var method: String
    /// The request path; anything from `?` on is dropped when rendering.
    public var path: String
    public var status: Int
    public var action: RequestAction
    public var matchedRuleIds: [Int]
    public var anomalyScore: Int
    public var totalMilliseconds: Double
    /// Time waiting on the upstream, or nil if it was not contacted.
    public var upstreamMilliseconds: Double?
    public var bytesIn: Int
    public var bytesOut: Int

    public init(
        requestId: String, function: String, clientKeyHash: String, method: String, path: String, status: Int,
        action: RequestAction, matchedRuleIds: [Int] = [], anomalyScore: Int = 0, totalMilliseconds: Double,
        upstreamMilliseconds: Double? = nil, bytesIn: Int = 0, bytesOut: Int = 0
    ) {
        self.requestId = requestId
        self.function = function
        self.clientKeyHash = clientKeyHash
        self.method = method
        self.path = path
        self.status = status
        self.action = action
        self.matchedRuleIds = matchedRuleIds
        self.anomalyScore = anomalyScore
        self.totalMilliseconds = totalMilliseconds
        self.upstreamMilliseconds = upstreamMilliseconds
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
    }

    /// Time spent in Tollgate itself (total minus upstream), in milliseconds.
    public var proxyMilliseconds: Double { max(0, totalMilliseconds - (upstreamMilliseconds ?? 0)) }

    /// Appends the JSON line (ending in `\n`) stamped with `timestampMilliseconds` to `buffer`.
    public func render(into buffer: inout [UInt8], timestampMilliseconds: Int64 = RFC3339.nowMilliseconds()) {
        var writer = JSONLineWriter(capacity: 384)
        writer.field("ts", RFC3339.format(milliseconds: timestampMilliseconds))
        writer.field("type", "access")
        writer.field("request_id", requestId)
        writer.field("function", function)
        writer.field("client", clientKeyHash)
        writer.field("method", method)
        writer.field("path", pathWithoutQuery(path))
        writer.field("status", status)
        writer.field("action", action.rawValue)
        writer.field("rule_ids", matchedRuleIds)
        writer.field("anomaly_score", anomalyScore)
        writer.field("duration_ms", rounded(totalMilliseconds))
        writer.field("proxy_ms", rounded(proxyMilliseconds))
        if let upstreamMilliseconds { writer.field("upstream_ms", rounded(upstreamMilliseconds)) }
        writer.field("bytes_in", bytesIn)
        writer.field("bytes_out", bytesOut)
        buffer.append(contentsOf: writer.finish())
    }

    /// The JSON line (ending in `\n`).
    public func render(timestampMilliseconds: Int64 = RFC3339.nowMilliseconds()) -> String {
        var buffer: [UInt8] = []
        render(into: &buffer, timestampMilliseconds: timestampMilliseconds)
        return String(decoding: buffer, as: UTF8.self)
    }
}

/// `path` up to (not including) the first `?` or `#`.
func pathWithoutQuery(_ path: String) -> String {
    if let cut = path.utf8.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) {
        return String(decoding: path.utf8[..<cut], as: UTF8.self)
    }
    return path
}

/// `value` rounded to microsecond precision (three decimals of milliseconds).
func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
