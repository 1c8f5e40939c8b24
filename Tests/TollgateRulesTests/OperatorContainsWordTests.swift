import Testing

@testable import TollgateRules

/// `@containsWord`: the argument delimited by non-word bytes.
@Suite struct OperatorContainsWordTests {
    static let cases: [OperatorCase] = [
        .init("containsWord", "select", "union select x", .match),
        .init("containsWord", "select", "selection", .noMatch),
        .init("containsWord", "select", "preselect", .noMatch),
        .init("containsWord", "select", "preselect select", .match),
        .init("containsWord", "select", "select", .match),
        .init("containsWord", "select", "(select)", .match),
        .init("containsWord", "select", "x_select", .noMatch),
    ]

    @Test(arguments: cases)
    func evaluates(_ item: OperatorCase) throws {
        let (result, _) = try evaluateOperator(item.name, item.argument, item.input, macros: item.macros)
        #expect(result == item.expected)
    }
}
