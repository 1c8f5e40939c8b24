import TollgateHTTP
import TollgateRules

/// Builds the bytes go-ftw sends for a stage and parses them with the proxy's strict HTTP parser.
enum FTWRequest {
    /// The raw request: `encoded_request` as is, otherwise request line, headers (plus Content-Length and
    /// Connection when `autocomplete_headers`, as go-ftw does), blank line, data.
    static func rawBytes(_ input: FTWInput) -> [UInt8] {
        if let raw = input.encodedRequest { return raw }
        var out = Array("\(input.method) \(input.uri)".utf8)
        if !input.version.isEmpty { out += Array(" \(input.version)".utf8) }
        out += [13, 10]
        var headers = input.headers
        if input.autocompleteHeaders {
            let data = input.data ?? []
            let bodyMethod = ["POST", "PUT", "PATCH"].contains(input.method.uppercased())
            if !data.isEmpty || bodyMethod,
                !headers.contains(where: {
                    $0.0.lowercased() == "content-length" || $0.0.lowercased() == "transfer-encoding"
                })
            {
                headers.append(("Content-Length", String(data.count)))
            }
            if let data = input.data, !data.isEmpty, !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
                headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            }
            if !headers.contains(where: { $0.0.lowercased() == "connection" }) {
                headers.append(("Connection", "close"))
            }
        }
        for (name, value) in headers { out += Array("\(name): \(value)\r\n".utf8) }
        out += [13, 10]
        if let data = input.data { out += data }
        return out
    }

    enum Parsed {
        case request(RequestInput, body: [UInt8], path: String)
        /// The parser refused the request; a proxy answers with this status.
        case rejected(status: Int, reason: String)
    }

    static func parse(_ raw: [UInt8]) -> Parsed {
        switch HTTPRequestHead.parse(raw) {
        case .needMore:
            return .rejected(status: 400, reason: "incomplete request head")
        case .failure(let error):
            return .rejected(status: error.status, reason: "\(error)")
        case .complete(let head, let headLength):
            var body: [UInt8] = []
            let rest = Array(raw[headLength...])
            switch head.bodyFraming {
            case .none, .untilClose:
                break
            case .contentLength(let n):
                body = Array(rest.prefix(n))
            case .chunked:
                var decoder = ChunkedDecoder()
                do {
                    _ = try decoder.decode(rest, into: &body)
                } catch {
                    return .rejected(status: error.status, reason: "\(error)")
                }
            }
            let request = RequestInput(
                head: head, remoteAddress: "127.0.0.1", remotePort: 40000, serverAddress: "127.0.0.1", serverPort: 80)
            return .request(request, body: body, path: head.path)
        }
    }
}
