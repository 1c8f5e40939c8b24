/// A derived client key: the bytes the limiter hashes, and where they came from.
public struct ClientKey: Sendable, Equatable, CustomStringConvertible {
    /// Canonical text: `ip:ADDRESS` (IPv6 reduced to its prefix, e.g. `ip:2001:db8:1:2::/64`),
    /// `header:NAME=VALUE`, `jwt:CLAIM=VALUE`; a combination joins its parts as `LENGTH:PART` pieces so
    /// two different combinations can never produce the same text.
    public let text: String
    /// The alternative that produced the key (index into `ClientKeySpec.alternatives`); nil when no
    /// alternative yielded a value and the peer address was used.
    public let alternative: Int?

    public var bytes: [UInt8] { Array(text.utf8) }
    public var description: String { text }
}

/// Derives client keys from a request, per a `ClientKeySpec`. Pure: takes the peer address and headers.
///
/// `forwarded` trusts only configured proxies: the hop list is the `Forwarded` header's `for=` values
/// (RFC 7239) if any `Forwarded` field is present, else the `X-Forwarded-For` entries, in field order.
/// Starting from the peer, the walk moves left while the current hop is a trusted proxy; the first
/// untrusted hop is the client. So an untrusted peer is the client whatever headers it sends (a spoofed
/// `X-Forwarded-For` is ignored), and entries a client prepended cannot be reached past a hop a
/// trusted proxy appended. A malformed, `unknown` or obfuscated hop stops the walk at the last trusted
/// address, so that junk cannot mint fresh keys. At most `maxHops` hops are examined.
public struct ClientIdentity: Sendable {
    public let spec: ClientKeySpec
    public let trustedProxies: [CIDR]
    /// IPv6 clients are keyed by this prefix (default 64: one subscriber usually owns a whole /64, so
    /// per-address keys would let one client rotate through 2⁶⁴ of them).
    public let ipv6PrefixLength: Int
    public static let maxHops = 64

    public init(spec: ClientKeySpec, trustedProxies: [CIDR] = [], ipv6PrefixLength: Int = 64)
        throws(ClientKeyError)
    {
        guard (1...128).contains(ipv6PrefixLength) else { throw ClientKeyError(.invalidPrefix, "\(ipv6PrefixLength)") }
        self.spec = spec
        self.trustedProxies = trustedProxies
        self.ipv6PrefixLength = ipv6PrefixLength
    }

    /// Parses both the spec and the trusted proxy list (addresses or CIDR blocks).
    public init(spec: String, trustedProxies: [String] = [], ipv6PrefixLength: Int = 64) throws(ClientKeyError) {
        var cidrs: [CIDR] = []
        for t in trustedProxies { cidrs.append(try CIDR(t)) }
        try self.init(spec: ClientKeySpec(parsing: spec), trustedProxies: cidrs, ipv6PrefixLength: ipv6PrefixLength)
    }

    public func isTrusted(_ address: IPAddress) -> Bool { trustedProxies.contains { $0.contains(address) } }

    /// The key for a request from `peer` with `headers` (names compared case-insensitively).
    public func key(peer: IPAddress, headers: [(String, String)]) -> ClientKey {
        for (index, parts) in spec.alternatives.enumerated() {
            var pieces: [String] = []
            for part in parts {
                guard let piece = value(of: part, peer: peer, headers: headers) else { break }
                pieces.append(piece)
            }
            guard pieces.count == parts.count else { continue }
            if pieces.count == 1 { return ClientKey(text: pieces[0], alternative: index) }
            return ClientKey(text: pieces.map { "\($0.utf8.count):\($0)" }.joined(), alternative: index)
        }
        return ClientKey(text: ipKey(peer), alternative: nil)
    }

    func value(of source: ClientKeySpec.Source, peer: IPAddress, headers: [(String, String)]) -> String? {
        switch source {
        case .ip:
            return ipKey(peer)
        case .forwarded:
            return ipKey(forwardedClient(peer: peer, headers: headers))
        case .header(let name):
            for (n, v) in headers where n.equalsIgnoringASCIICase(name) {
                let trimmed = v[...].trimmingWhitespace()
                return trimmed.isEmpty ? nil : "header:\(name)=\(trimmed)"
            }
            return nil
        case .jwt(let claim):
            for (n, v) in headers where n.equalsIgnoringASCIICase("authorization") {
                return JWTClaim.fromAuthorization(v, claim: claim).map { "jwt:\(claim)=\($0)" }
            }
            return nil
        }
    }

    func ipKey(_ address: IPAddress) -> String {
        if address.isV4 || ipv6PrefixLength == 128 { return "ip:\(address)" }
        return "ip:\(address.masked(to: ipv6PrefixLength))/\(ipv6PrefixLength)"
    }

    /// The right-most untrusted hop (see the type's documentation).
    public func forwardedClient(peer: IPAddress, headers: [(String, String)]) -> IPAddress {
        guard isTrusted(peer) else { return peer }
        let hops = ClientIdentity.hops(headers)
        var current = peer
        for hop in hops.reversed().prefix(ClientIdentity.maxHops) {
            guard let address = IPAddress.parseHop(hop) else { return current }
            if !isTrusted(address) { return address }
            current = address
        }
        return current
    }

    /// Hop texts, left to right, from `Forwarded` (preferred) or `X-Forwarded-For`.
    static func hops(_ headers: [(String, String)]) -> [Substring] {
        var forwarded: [Substring] = []
        var sawForwarded = false
        var xff: [Substring] = []
        for (name, value) in headers {
            if name.equalsIgnoringASCIICase("forwarded") {
                sawForwarded = true
                for element in splitOutsideQuotes(value[...], on: ",") {
                    var hop: Substring = "unknown"
                    for pair in splitOutsideQuotes(element, on: ";") {
                        let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                        if kv.count == 2, kv[0].trimmingWhitespace().lowercased() == "for" {
                            hop = kv[1].trimmingWhitespace()
                        }
                    }
                    forwarded.append(hop)
                }
            } else if name.equalsIgnoringASCIICase("x-forwarded-for") {
                for entry in value.split(separator: ",", omittingEmptySubsequences: false) {
                    xff.append(entry.trimmingWhitespace())
                }
            }
        }
        return sawForwarded ? forwarded : xff
    }

    static func splitOutsideQuotes(_ s: Substring, on separator: Character) -> [Substring] {
        var out: [Substring] = []
        var start = s.startIndex
        var inQuotes = false
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if c == "\"" { inQuotes.toggle() }
            if c == separator && !inQuotes {
                out.append(s[start..<i])
                start = s.index(after: i)
            }
            i = s.index(after: i)
        }
        out.append(s[start...])
        return out
    }
}

extension String {
    /// ASCII case-insensitive equality against a lowercase `other`, without allocating.
    func equalsIgnoringASCIICase(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        for (a, b) in zip(utf8, other.utf8) {
            let lower = (a >= UInt8(ascii: "A") && a <= UInt8(ascii: "Z")) ? a + 32 : a
            if lower != b { return false }
        }
        return true
    }
}
