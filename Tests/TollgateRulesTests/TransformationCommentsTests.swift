import Testing

@testable import TollgateRules

@Suite struct TransformationCommentsTests {
    static let cases: [TransformationCase] = [
        .init(.replaceComments, "UN/**/ION", "UN ION"),
        .init(.replaceComments, "a/* x */b/*c*/", "a b "),
        .init(.replaceComments, "a/* unterminated", "a "),
        .init(.replaceComments, "a */ b", "a */ b"),
        .init(.replaceComments, "", ""),
        .init(.removeComments, "UN/**/ION", "UNION"),
        .init(.removeComments, "a<!-- x -->b", "ab"),
        .init(.removeComments, "1 OR 1=1-- rest\nnext", "1 OR 1=1\nnext"),
        .init(.removeComments, "x # y", "x "),
        .init(.removeComments, "a/* open", "a"),
        .init(.removeCommentsChar, "UN/**/ION", "UNION"),
        .init(.removeCommentsChar, "<!--x-->", "x"),
        .init(.removeCommentsChar, "a--b#c", "abc"),
        .init(.removeCommentsChar, "a-b*c/d", "a-b*c/d"),
    ]

    @Test(arguments: cases)
    func transforms(_ item: TransformationCase) {
        #expect(item.transformation.apply(item.input) == item.expected)
    }
}
