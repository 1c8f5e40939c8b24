/// Pseudonymises client keys (addresses, API keys, JWT subjects) for logs with keyed SipHash-2-4.
///
/// The output is the 64-bit SipHash-2-4 of the key bytes as 16 lowercase hex digits: stable for one hasher
/// key, so one client's requests can be correlated across log lines, and not reversible without the hasher
/// key. This is pseudonymisation, not secrecy: anyone holding the hasher key can test guesses (an IPv4 address
/// space is small), so keep the key as secret as the logs it protects and rotate it to unlink old logs.
public struct ClientKeyHasher: Sendable {
    let k0: UInt64
    let k1: UInt64

    /// A hasher with the 128-bit key `k0 ‖ k1` (little-endian halves, as in the SipHash paper).
    public init(k0: UInt64, k1: UInt64) {
        self.k0 = k0
        self.k1 = k1
    }

    /// A hasher keyed by the first 16 bytes of `secret` (zero-padded if shorter).
    public init(secret: some Sequence<UInt8>) {
        var bytes = Array(secret.prefix(16))
        bytes += [UInt8](repeating: 0, count: 16 - bytes.count)
        self.init(k0: ClientKeyHasher.littleEndian(bytes, 0), k1: ClientKeyHasher.littleEndian(bytes, 8))
    }

    /// The 16-hex-digit pseudonym of `key`.
    public func pseudonym(_ key: some Collection<UInt8>) -> String {
        let value = hash(key)
        let hex = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<16 {
            out[i] = hex[Int((value >> UInt64(60 - 4 * i)) & 0xF)]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The 16-hex-digit pseudonym of `key`'s UTF-8 bytes.
    public func pseudonym(_ key: String) -> String { pseudonym(Array(key.utf8)) }

    /// SipHash-2-4 of `message` (two compression rounds per block, four finalisation rounds).
    public func hash(_ message: some Collection<UInt8>) -> UInt64 {
        var v0: UInt64 = 0x736f_6d65_7073_6575 ^ k0
        var v1: UInt64 = 0x646f_7261_6e64_6f6d ^ k1
        var v2: UInt64 = 0x6c79_6765_6e65_7261 ^ k0
        var v3: UInt64 = 0x7465_6462_7974_6573 ^ k1

        func round() {
            v0 &+= v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32)
            v2 &+= v3; v3 = rotl(v3, 16); v3 ^= v2
            v0 &+= v3; v3 = rotl(v3, 21); v3 ^= v0
            v2 &+= v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32)
        }

        var block: UInt64 = 0
        var filled = 0
        for byte in message {
            block |= UInt64(byte) << UInt64(8 * filled)
            filled += 1
            if filled == 8 {
                v3 ^= block
                round(); round()
                v0 ^= block
                block = 0
                filled = 0
            }
        }
        // Last block: remaining bytes plus the message length mod 256 in the top byte.
        let last = block | (UInt64(truncatingIfNeeded: message.count) << 56)
        v3 ^= last
        round(); round()
        v0 ^= last
        v2 ^= 0xff
        round(); round(); round(); round()
        return v0 ^ v1 ^ v2 ^ v3
    }

    private static func littleEndian(_ bytes: [UInt8], _ offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(bytes[offset + i]) << UInt64(8 * i) }
        return value
    }
}

@inline(__always)
private func rotl(_ x: UInt64, _ b: UInt64) -> UInt64 { (x << b) | (x >> (64 - b)) }
