import Testing

@testable import TollgateRules

@Suite struct TransformationEncodingTests {
    static let cases: [TransformationCase] = [
        .init(.length, "", "0"),
        .init(.length, "hello", "5"),
        .init(.length, bytes: [0, 0, 0xFF], Array("3".utf8)),
        .init(.base64Encode, "", ""),
        .init(.base64Encode, "f", "Zg=="),
        .init(.base64Encode, "fo", "Zm8="),
        .init(.base64Encode, "foobar", "Zm9vYmFy"),
        .init(.base64Decode, "Zm9vYmFy", "foobar"),
        .init(.base64Decode, "Zm9vYg==", "foob"),
        .init(.base64Decode, "Zm9vYg", "foob"),
        .init(.base64Decode, "Zm9v!YmFy", "foo"),
        .init(.base64Decode, "Z", ""),
        .init(.base64Decode, "", ""),
        .init(.base64Decode, "PHNjcmlwdD4-", "<script>"),
        .init(.base64DecodeExt, "Zm9v!Ym\nFy", "foobar"),
        .init(.base64DecodeExt, "PHNjcmlwdD4-", "<script>\u{3e}"),
        .init(.hexEncode, "", ""),
        .init(.hexEncode, bytes: [0x00, 0xAB, 0x7F], Array("00ab7f".utf8)),
        .init(.hexDecode, "414243", "ABC"),
        .init(.hexDecode, "4a4B", "JK"),
        .init(.hexDecode, "41z", "Az"),
        .init(.hexDecode, "414", "A4"),
        .init(.sqlHexDecode, "SELECT 0x414243", "SELECT ABC"),
        .init(.sqlHexDecode, "0X6a6b1", "jk1"),
        .init(.sqlHexDecode, "0x", "0x"),
        .init(.sqlHexDecode, "0x4", "0x4"),
        .init(.sqlHexDecode, "price 10x20", "price 10x20"),
    ]

    @Test(arguments: cases)
    func transforms(_ item: TransformationCase) {
        #expect(item.transformation.apply(item.input) == item.expected)
    }

    /// Known digests (RFC 1321 appendix A.5, FIPS 180 examples), checked through `t:hexEncode`.
    @Test(arguments: [
        (Transformation.md5, "", "d41d8cd98f00b204e9800998ecf8427e"),
        (.md5, "abc", "900150983cd24fb0d6963f7d28e17f72"),
        (.md5, "message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        (
            .md5, "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
            "57edf4a22be3c955ac49da2e2107b67a"
        ),
        (.sha1, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        (.sha1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        (
            .sha1, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        ),
    ])
    func digests(_ transformation: Transformation, _ input: String, _ hex: String) {
        let digest = transformation.apply(Array(input.utf8))
        #expect(Transformation.hexEncode.apply(digest) == Array(hex.utf8))
    }

    @Test func sha1OfAMillionAs() {
        let input = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        let hex = Transformation.hexEncode.apply(Transformation.sha1.apply(input))
        #expect(hex == Array("34aa973cd4c4daa4f61eeb2bdbad27316534016f".utf8))
    }

    @Test(arguments: [0, 1, 2, 3, 55, 56, 57, 63, 64, 65, 200])
    func base64RoundTrips(_ length: Int) {
        let input = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        #expect(Transformation.base64Decode.apply(Transformation.base64Encode.apply(input)) == input)
        #expect(Transformation.hexDecode.apply(Transformation.hexEncode.apply(input)) == input)
    }
}
