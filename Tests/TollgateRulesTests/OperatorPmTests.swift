import Testing

@testable import TollgateRules

@Suite struct OperatorPmTests {
    static let cases: [OperatorCase] = [
        .init("pm", "AppleWebKit Android", "Mozilla (Linux; ANDROID 14)", .match),
        .init("pm", "AppleWebKit Android", "curl/8.0", .noMatch),
        .init("pm", "document.cookie <!-- <![cdata[", "x=DOCUMENT.COOKIE", .match),
        .init("pm", "( )", "f(x)", .match),
        .init("pm", "?>", "<?php ?>", .match),
        .init("pm", "abc", "", .noMatch),
        .init("pm", "abcd bcx", "abcx", .match),  // failure link from abc to bc
        .init("pm", "he she his hers", "ushers", .match),
        .init("pm", "\"drop me\" x", "please drop me a line", .match),
        .init("pm", "\"drop me\" x", "drop it", .noMatch),
        .init("pm", "|41 42|c", "xabcx", .match),
        .init("pm", "|3c|script", "<SCRIPT", .match),
        .init("pm", "a\\ b", "a b", .match),
        .init("pm", "needle", bytes: Array("hay\u{0}NEEDLE".utf8), .match),
    ]

    @Test(arguments: cases)
    func evaluates(_ item: OperatorCase) throws {
        let (result, _) = try evaluateOperator(item.name, item.argument, item.input)
        #expect(result == item.expected)
    }

    @Test func unterminatedHexFailsTheLoad() {
        #expect(throws: OperatorLoadError.self) {
            _ = try OperatorFactory.make(name: "pm", argument: "|41 42", baseDirectory: "/")
        }
    }

    @Test func phraseParsing() throws {
        #expect(
            try PmOperator.parsePhrases("a  b\t\"c d\" |65 66|") == [[0x61], [0x62], Array("c d".utf8), [0x65, 0x66]])
    }

    @Test func automatonAgreesWithNaiveSearch() {
        let patterns = ["ab", "bab", "b", "aaa", "cab"].map { Array($0.utf8) }
        let automaton = AhoCorasick(patterns: patterns)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let length = Int.random(in: 0...8, using: &generator)
            let input = (0..<length).map { _ in Array("abcAB".utf8).randomElement(using: &generator) ?? 0x61 }
            let lowered = input.map(ByteSearch.lower)
            let naive = patterns.contains { ByteSearch.firstIndex(of: $0, in: lowered) != nil }
            #expect(automaton.matches(input) == naive, "input \(input)")
        }
    }
}
