/// SHA-1 (FIPS 180-4 §6.1) for `t:sha1`; returns the raw 20-byte digest (CRS hex-encodes it with `t:hexEncode`).
enum SHA1 {
    static func digest(_ input: [UInt8]) -> [UInt8] {
        var h: (UInt32, UInt32, UInt32, UInt32, UInt32) = (
            0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0
        )
        let message = Padding.pad(input, bigEndianLength: true)
        var w = [UInt32](repeating: 0, count: 80)
        var block = 0
        while block < message.count {
            for t in 0..<16 {
                let i = block + t * 4
                w[t] =
                    UInt32(message[i]) << 24 | UInt32(message[i + 1]) << 16 | UInt32(message[i + 2]) << 8
                    | UInt32(message[i + 3])
            }
            for t in 16..<80 {
                let x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16]
                w[t] = x << 1 | x >> 31
            }
            var (a, b, c, d, e) = h
            for t in 0..<80 {
                let f: UInt32
                let k: UInt32
                switch t {
                case 0..<20: f = (b & c) | (~b & d); k = 0x5A82_7999
                case 20..<40: f = b ^ c ^ d; k = 0x6ED9_EBA1
                case 40..<60: f = (b & c) | (b & d) | (c & d); k = 0x8F1B_BCDC
                default: f = b ^ c ^ d; k = 0xCA62_C1D6
                }
                let temp = (a << 5 | a >> 27) &+ f &+ e &+ k &+ w[t]
                e = d
                d = c
                c = b << 30 | b >> 2
                b = a
                a = temp
            }
            h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e)
            block += 64
        }
        var output: [UInt8] = []
        output.reserveCapacity(20)
        for word in [h.0, h.1, h.2, h.3, h.4] {
            output.append(UInt8(truncatingIfNeeded: word >> 24))
            output.append(UInt8(truncatingIfNeeded: word >> 16))
            output.append(UInt8(truncatingIfNeeded: word >> 8))
            output.append(UInt8(truncatingIfNeeded: word))
        }
        return output
    }
}

/// Merkle-Damgard padding shared by MD5 and SHA-1: 0x80, zeros to 56 mod 64, then the bit length in 8 bytes.
enum Padding {
    static func pad(_ input: [UInt8], bigEndianLength: Bool) -> [UInt8] {
        var message = input
        let bitLength = UInt64(input.count) &* 8
        message.append(0x80)
        while message.count % 64 != 56 { message.append(0) }
        for index in 0..<8 {
            let shift = bigEndianLength ? UInt64(56 - index * 8) : UInt64(index * 8)
            message.append(UInt8(truncatingIfNeeded: bitLength >> shift))
        }
        return message
    }
}
