/// An address block: `192.0.2.0/24`, `2001:db8::/32`, or a single address (`/32`, `/128` implied).
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    public let network: IPAddress
    /// Prefix length in the 128-bit form (an IPv4 `/24` is 96 + 24).
    public let prefix: Int

    public init(_ text: String) throws(ClientKeyError) {
        let parts = text.trimmingCharacters(" \t").split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, let address = IPAddress(first) else {
            throw ClientKeyError(.invalidCIDR, text)
        }
        var bits = address.isV4 ? 128 : 128
        if parts.count == 2 {
            guard let n = Int(parts[1]), n >= 0, n <= (address.isV4 ? 32 : 128), parts[1].allSatisfy(\.isASCIIDigit)
            else {
                throw ClientKeyError(.invalidCIDR, text)
            }
            bits = address.isV4 ? 96 + n : n
        }
        prefix = bits
        network = address.masked(to: bits)
    }

    public func contains(_ address: IPAddress) -> Bool { address.masked(to: prefix) == network }

    public var description: String {
        network.isV4 ? "\(network)/\(prefix - 96)" : "\(network)/\(prefix)"
    }
}

extension String {
    func trimmingCharacters(_ set: String) -> Substring {
        var s = self[...]
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return s
    }
}
