/// A parsed request head, as far as the echo function needs it.
struct EchoRequest {
    enum Framing {
        case none
        case length(Int)
        case chunked
    }

    var method: String
    var path: String
    var query: String?
    var version: String
    /// Lowercased names in arrival order, values as received.
    var headers: [(name: String, value: String)]
    var framing: Framing
    var keepAlive: Bool

    /// Parses `method SP target SP version CRLF *(field CRLF)` (the head without its final empty line).
    static func parse(head: [UInt8]) -> Result<EchoRequest, EchoFailure> {
        let bad = Result<EchoRequest, EchoFailure>.failure(EchoFailure(status: 400))
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index < head.count {
            if head[index] == 13 {
                guard index + 1 < head.count, head[index + 1] == 10 else { return bad }
                lines.append(head[start..<index])
                index += 2
                start = index
            } else if head[index] == 10 || head[index] == 0 {
                return bad
            } else {
                index += 1
            }
        }
        lines.append(head[start..<head.count])
        guard let requestLine = lines.first else { return bad }
        let parts = requestLine.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, AddressCheck.isToken(parts[0]), !parts[1].isEmpty else { return bad }
        let method = String(decoding: parts[0], as: UTF8.self)
        let target = String(decoding: parts[1], as: UTF8.self)
        let version = String(decoding: parts[2], as: UTF8.self)
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            return .failure(EchoFailure(status: version.hasPrefix("HTTP/") ? 505 : 400))
        }
        guard target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return bad }

        var headers: [(String, String)] = []
        var contentLength: Int?
        var chunked = false
        var connectionTokens: [String] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return bad }
            let nameBytes = line[line.startIndex..<colon]
            guard AddressCheck.isToken(nameBytes) else { return bad }
            let valueBytes = line[(colon + 1)...].trimmingSpaces()
            let name = String(decoding: nameBytes, as: UTF8.self).lowercased()
            let value = String(decoding: valueBytes, as: UTF8.self)
            headers.append((name, value))
            switch name {
            case "content-length":
                guard !valueBytes.isEmpty, valueBytes.count <= 18,
                    valueBytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let length = Int(value)
                else { return bad }
                if let previous = contentLength, previous != length { return bad }
                contentLength = length
            case "transfer-encoding":
                guard value.lowercased() == "chunked", !chunked else {
                    return .failure(EchoFailure(status: 501))
                }
                chunked = true
            case "connection":
                connectionTokens += value.lowercased().split(separator: ",").map {
                    String($0.trimmingCharacters(in: " \t"))
                }
            default:
                break
            }
        }
        if chunked && contentLength != nil { return bad }
        let framing: Framing = chunked ? .chunked : (contentLength.map { $0 > 0 ? .length($0) : .none } ?? .none)
        let keepAlive =
            version == "HTTP/1.1" ? !connectionTokens.contains("close") : connectionTokens.contains("keep-alive")
        let path: String
        let query: String?
        if let mark = target.firstIndex(of: "?") {
            path = String(target[..<mark])
            query = String(target[target.index(after: mark)...])
        } else {
            path = target
            query = nil
        }
        return .success(
            EchoRequest(
                method: method, path: path, query: query, version: version, headers: headers, framing: framing,
                keepAlive: keepAlive))
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

    /// The answer body.
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

enum AddressCheck {
    /// RFC 9110 section 5.6.2 token.
    static func isToken(_ bytes: ArraySlice<UInt8>) -> Bool {
        !bytes.isEmpty
            && bytes.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
    }
}

extension ArraySlice where Element == UInt8 {
    func trimmingSpaces() -> ArraySlice<UInt8> {
        var slice = self
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        return slice
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> Substring {
        var slice = self
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return slice
    }
}
