import Testing

@testable import TollgateRules

/// One transformation case: input and expected output as bytes.
struct TransformationCase: Sendable, CustomStringConvertible {
    var transformation: Transformation
    var input: [UInt8]
    var expected: [UInt8]

    init(_ transformation: Transformation, _ input: String, _ expected: String) {
        self.transformation = transformation
        self.input = Array(input.utf8)
        self.expected = Array(expected.utf8)
    }

    init(_ transformation: Transformation, bytes input: [UInt8], _ expected: [UInt8]) {
        self.transformation = transformation
        self.input = input
        self.expected = expected
    }

    var description: String { "\(transformation.rawValue)(\(String(decoding: input, as: UTF8.self).debugDescription))" }
}

@Suite struct TransformationURLTests {
    static let cases: [TransformationCase] = [
        .init(.urlDecode, "", ""),
        .init(.urlDecode, "a%20b+c", "a b c"),
        .init(.urlDecode, "%3Cscript%3e", "<script>"),
        .init(.urlDecode, "100%", "100%"),
        .init(.urlDecode, "%4", "%4"),
        .init(.urlDecode, "%zz%41", "%zzA"),
        .init(.urlDecode, "%%41", "%A"),
        .init(.urlDecode, "%u0041", "%u0041"),
        .init(.urlDecode, bytes: Array("%00x".utf8), [0, UInt8(ascii: "x")]),
        .init(.urlDecode, bytes: Array("%ff%C0%AF".utf8), [0xFF, 0xC0, 0xAF]),
        .init(.urlDecodeUni, "%u0041%u0062", "Ab"),
        .init(.urlDecodeUni, "%uff1cscript%uFF1E", "<script>"),
        .init(.urlDecodeUni, "%U0027", "'"),
        .init(.urlDecodeUni, bytes: Array("%u2215".utf8), [0x15]),
        .init(.urlDecodeUni, "%uFF5F", "_"),
        .init(.urlDecodeUni, "%u004", "%u004"),
        .init(.urlDecodeUni, "%u00zz", "%u00zz"),
        .init(.urlDecodeUni, "%u", "%u"),
        .init(.urlDecodeUni, "%41+%u0042", "A B"),
        .init(.utf8toUnicode, "plain ascii", "plain ascii"),
        .init(.utf8toUnicode, "caf\u{e9}", "caf%u00e9"),
        .init(.utf8toUnicode, "\u{FF1C}", "%uff1c"),
        .init(.utf8toUnicode, "\u{1F600}", "%u1f600"),
        .init(.utf8toUnicode, bytes: [0xC3], [0xC3]),
        .init(.utf8toUnicode, bytes: [0xC0, 0xAF], [0xC0, 0xAF]),
        .init(.utf8toUnicode, bytes: [0xE2, 0x28, 0xA1], [0xE2, 0x28, 0xA1]),
        .init(.utf8toUnicode, bytes: [0xED, 0xA0, 0x80], [0xED, 0xA0, 0x80]),
        .init(.utf8toUnicode, bytes: [0x41, 0x00, 0xFF], [0x41, 0x00, 0xFF]),
    ]

    @Test(arguments: cases)
    func transforms(_ item: TransformationCase) {
        #expect(item.transformation.apply(item.input) == item.expected)
    }
}
