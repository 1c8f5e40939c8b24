import Testing

@testable import TollgateRules

@Suite struct TransformationDecodeTests {
    static let cases: [TransformationCase] = [
        .init(.jsDecode, "", ""),
        .init(.jsDecode, "\\x3cscript\\x3E", "<script>"),
        .init(.jsDecode, "\\u0061lert", "alert"),
        .init(.jsDecode, "\\uff1c", "<"),
        .init(.jsDecode, "\\141\\142", "ab"),
        .init(.jsDecode, "\\400", " 0"),
        .init(.jsDecode, "a\\nb\\tc", "a\nb\tc"),
        .init(.jsDecode, "\\'\\\"\\\\", "'\"\\"),
        .init(.jsDecode, "\\q", "q"),
        .init(.jsDecode, "\\x4", "x4"),
        .init(.jsDecode, "\\u12", "u12"),
        .init(.jsDecode, "end\\", "end\\"),
        .init(.jsDecode, bytes: Array("\\0".utf8), [0]),
        .init(.htmlEntityDecode, "", ""),
        .init(.htmlEntityDecode, "&lt;script&gt;", "<script>"),
        .init(.htmlEntityDecode, "&LT;&Quot;&amp;", "<\"&"),
        .init(.htmlEntityDecode, "&#60;&#x3c;&#X3C", "<<<"),
        .init(.htmlEntityDecode, "&#0000060;", "<"),
        .init(.htmlEntityDecode, "&lt", "<"),
        .init(.htmlEntityDecode, "&amplifier;", "&amplifier;"),
        .init(.htmlEntityDecode, "&#;&#x;&", "&#;&#x;&"),
        .init(.htmlEntityDecode, "AT&T", "AT&T"),
        .init(.htmlEntityDecode, bytes: Array("&nbsp;".utf8), [0xA0]),
        .init(.htmlEntityDecode, bytes: Array("&#x100;".utf8), [0x00]),
        .init(.htmlEntityDecode, bytes: Array("&#99999999999999999999;".utf8), [0x00]),
        .init(.cssDecode, "", ""),
        .init(.cssDecode, "\\6a\\61vascript", "javascript"),
        .init(.cssDecode, "\\00006a ava", "java"),
        .init(.cssDecode, "\\ff1c", "<"),
        .init(.cssDecode, "\\e\\x", "\u{0e}x"),
        .init(.cssDecode, "a\\\nb", "ab"),
        .init(.cssDecode, "\\\"", "\""),
        .init(.cssDecode, "end\\", "end"),
        .init(.cssDecode, "\\1234567", "V7"),
        .init(.escapeSeqDecode, "", ""),
        .init(.escapeSeqDecode, "a\\nb\\r\\t", "a\nb\r\t"),
        .init(.escapeSeqDecode, "\\x41\\101\\?", "AA?"),
        .init(.escapeSeqDecode, "\\z\\x4g", "\\z\\x4g"),
        .init(.escapeSeqDecode, "tail\\", "tail\\"),
        .init(.escapeSeqDecode, bytes: Array("\\0\\a".utf8), [0, 7]),
    ]

    @Test(arguments: cases)
    func transforms(_ item: TransformationCase) {
        #expect(item.transformation.apply(item.input) == item.expected)
    }
}
