#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Syntax checks for addresses, hosts and paths; pure functions returning a value or a reason.
enum AddressParsing {
    /// True for a dotted-quad IPv4 literal.
    static func isIPv4(_ text: String) -> Bool {
        var storage = in_addr()
        return text.withCString { inet_pton(AF_INET, $0, &storage) } == 1
    }

    /// True for an IPv6 literal (without brackets).
    static func isIPv6(_ text: String) -> Bool {
        var storage = in6_addr()
        return text.withCString { inet_pton(AF_INET6, $0, &storage) } == 1
    }

    /// True for a DNS name: dot-separated labels of letters, digits and inner hyphens.
    static func isHostName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        for label in labels {
            guard !label.isEmpty, label.count <= 63 else { return false }
            guard label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-") else { return false }
            for byte in label where !(isAlphaNumeric(byte) || byte == UInt8(ascii: "-")) {
                return false
            }
        }
        return true
    }

    static func isAlphaNumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    /// RFC 9110 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        if isAlphaNumeric(byte) { return true }
        return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
    }

    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy(isTokenByte)
    }

    /// Splits `host:port` / `[v6]:port`. Returns the host without brackets and the port text.
    static func splitHostPort(_ text: String) -> (host: String, port: Substring?)? {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { return (host, nil) }
            guard rest.hasPrefix(":") else { return nil }
            return (host, rest.dropFirst())
        }
        let colons = text.filter { $0 == ":" }.count
        if colons == 0 { return (text, nil) }
        if colons > 1 { return nil }  // a bare IPv6 literal needs brackets
        guard let colon = text.firstIndex(of: ":") else { return nil }
        return (String(text[..<colon]), text[text.index(after: colon)...])
    }

    /// Parses a decimal port without sign; nil when not a number.
    static func parsePort(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 6, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text)
    }

    /// Parses `redis://host:port[/db]`.
    static func parseRedisURL(_ text: String) -> Result<(host: String, port: Int, database: Int), AddressProblem> {
        guard text.lowercased().hasPrefix("redis://") else { return .failure(.syntax) }
        var rest = Substring(text.dropFirst("redis://".count))
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let db = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !db.isEmpty {
                guard let value = parsePort(db), value <= 15 else { return .failure(.syntax) }
                database = value
            }
        }
        if rest.contains("@") { return .failure(.syntax) }
        guard let (host, portText) = splitHostPort(String(rest)), !host.isEmpty else { return .failure(.syntax) }
        guard isIPv4(host) || isIPv6(host) || isHostName(host) else { return .failure(.syntax) }
        var port = 6379
        if let portText {
            guard let value = parsePort(portText) else { return .failure(.syntax) }
            guard (1...65535).contains(value) else { return .failure(.portRange(value)) }
            port = value
        }
        return .success((host, port, database))
    }

    enum AddressProblem: Error {
        case syntax
        case portRange(Int)
    }
}
