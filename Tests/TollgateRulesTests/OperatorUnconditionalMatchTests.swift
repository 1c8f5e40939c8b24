import Testing

@testable import TollgateRules

/// `@unconditionalMatch` matches every value; `@noMatch` none.
@Suite struct OperatorUnconditionalMatchTests {
    static let cases: [OperatorCase] = [
        .init("unconditionalMatch", "", "", .match),
        .init("unconditionalMatch", "", "anything", .match),
        .init("unconditionalMatch", "ignored argument", bytes: [0, 0xFF], .match),
        .init("noMatch", "", "", .noMatch),
        .init("noMatch", "", "anything", .noMatch),
        .init("noMatch", "", bytes: [0, 0xFF], .noMatch),
    ]

    @Test(arguments: cases)
    func evaluates(_ item: OperatorCase) throws {
        let (result, _) = try evaluateOperator(item.name, item.argument, item.input, macros: item.macros)
        #expect(result == item.expected)
    }
}
