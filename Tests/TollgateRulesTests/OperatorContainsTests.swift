import Testing

@testable import TollgateRules

/// `@contains` and its alias `@strmatch`: case-sensitive substring.
@Suite struct OperatorContainsTests {
    static let cases: [OperatorCase] = [
        .init("contains", "-->", "a-->b", .match),
        .init("contains", "#", "abc", .noMatch),
        .init("contains", "aab", "aaab", .match),
        .init("contains", "", "", .match),
        .init("strmatch", "WebZIP", "Mozilla WebZIP/4", .match),
        .init("contains", "<title>punkholicshell</title>", "<html><title>punkholicshell</title>", .match),
        .init("contains", "ab", bytes: [0x61, 0x00, 0x62], .noMatch),
        .init("strmatch", "x", "", .noMatch),
    ]

    @Test(arguments: cases)
    func evaluates(_ item: OperatorCase) throws {
        let (result, _) = try evaluateOperator(item.name, item.argument, item.input, macros: item.macros)
        #expect(result == item.expected)
    }
}
