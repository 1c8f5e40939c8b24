import Testing

@testable import TollgateRules

@Suite struct TransformationNormalizeTests {
    static let cases: [TransformationCase] = [
        .init(.none, "As Is", "As Is"),
        .init(.lowercase, "SeLeCT \u{C9}", "select \u{C9}"),
        .init(.uppercase, "select \u{e9}", "SELECT \u{e9}"),
        .init(.removeNulls, bytes: [0, 0x61, 0, 0x62, 0], [0x61, 0x62]),
        .init(.replaceNulls, bytes: [0x61, 0, 0x62], [0x61, 0x20, 0x62]),
        .init(.removeWhitespace, bytes: Array("a b\tc\n\r\u{0b}\u{0c}d".utf8) + [0xA0, 0x65], Array("abcde".utf8)),
        .init(.compressWhitespace, "a  b\t\t\nc", "a b c"),
        .init(.compressWhitespace, bytes: [0x61, 0xA0, 0x20, 0x62], [0x61, 0x20, 0x62]),
        .init(.compressWhitespace, "", ""),
        .init(.trim, " \t x y \n", "x y"),
        .init(.trimLeft, "  x ", "x "),
        .init(.trimRight, "  x ", "  x"),
        .init(.trim, "   ", ""),
        .init(.cmdLine, "C^m\"d.e'xe /c di\\r", "cmd.exe/c dir"),
        .init(.cmdLine, "cat ,; /etc/passwd", "cat/etc/passwd"),
        .init(.cmdLine, "echo  (x)", "echo(x)"),
        .init(.cmdLine, "a;b,c\td", "a b c d"),
        .init(.cmdLine, "", ""),
        .init(.normalizePath, "/a/b/../c/./d//e", "/a/c/d/e"),
        .init(.normalizePath, "/../../etc/passwd", "/etc/passwd"),
        .init(.normalizePath, "../../etc/passwd", "../../etc/passwd"),
        .init(.normalizePath, "a/../../b", "../b"),
        .init(.normalizePath, "/a/b/..", "/a/"),
        .init(.normalizePath, "/a/b/.", "/a/b/"),
        .init(.normalizePath, "/a/b/", "/a/b/"),
        .init(.normalizePath, "/", "/"),
        .init(.normalizePath, "", ""),
        .init(.normalizePath, "//", "/"),
        .init(.normalizePathWin, "C:\\a\\..\\b\\.\\c", "C:/b/c"),
        .init(.normalizePathWin, "..\\..\\windows\\win.ini", "../../windows/win.ini"),
    ]

    @Test(arguments: cases)
    func transforms(_ item: TransformationCase) {
        #expect(item.transformation.apply(item.input) == item.expected)
    }

    @Test(arguments: [
        ("normalizePath", Transformation.normalizePath), ("normalisePath", .normalizePath),
        ("NORMALISEPATHWIN", .normalizePathWin), ("urldecodeuni", .urlDecodeUni), ("utf8toUnicode", .utf8toUnicode),
        ("base64decode", .base64Decode),
    ])
    func namesAreCaseInsensitive(_ name: String, _ expected: Transformation) {
        #expect(Transformation(name: name) == expected)
    }

    @Test func unknownNameIsNil() {
        #expect(Transformation(name: "alert") == nil)
        #expect(Transformation(name: "9001") == nil)
    }
}
