import TollgateHTTP

/// What the echo function reports about one request.
struct EchoRequest {
    var method: String
    var path: String
    var query: String?
    var version: String
    /// Names lowercased, in arrival order.
    var headers: [(name: String, value: String)]

    init(head: HTTPRequestHead) {
        method = head.method.name
        path = head.path
        query = head.query
        version = head.version.description
        headers = head.headers.map { ($0.name.lowercased(), $0.value) }
    }

    /// A small non-negative integer query parameter (`?delay_ms=100`), if present and valid.
    func queryInteger(_ name: String) -> Int? {
        guard let query else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == name, parts[1].count <= 6, let value = Int(parts[1]), value >= 0 {
                return value
            }
        }
        return nil
    }

    /// The answer body: method, path, query, version, headers (repeated names joined with ", ") and the
    /// body length.
    func echoJSON(bodyLength: Int) -> String {
        var out = "{\"function\":\"echo\",\"method\":"
        JSONLogHandler.appendString(method, to: &out)
        out += ",\"path\":"
        JSONLogHandler.appendString(path, to: &out)
        out += ",\"query\":"
        if let query { JSONLogHandler.appendString(query, to: &out) } else { out += "null" }
        out += ",\"version\":"
        JSONLogHandler.appendString(version, to: &out)
        out += ",\"headers\":{"
        var merged: [(String, String)] = []
        for (name, value) in headers {
            if let index = merged.firstIndex(where: { $0.0 == name }) {
                merged[index].1 += ", " + value
            } else {
                merged.append((name, value))
            }
        }
        for (index, (name, value)) in merged.enumerated() {
            if index > 0 { out += "," }
            JSONLogHandler.appendString(name, to: &out)
            out += ":"
            JSONLogHandler.appendString(value, to: &out)
        }
        out += "},\"body_bytes\":\(bodyLength)}\n"
        return out
    }
}
