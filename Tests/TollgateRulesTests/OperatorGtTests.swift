import Testing

@testable import TollgateRules

/// `@gt`: integer comparison (atoll-like parsing; non-numeric is 0; macros expand per evaluation).
@Suite struct OperatorGtTests {
    static let cases: [OperatorCase] = [
        .init("gt", "5", "6", .match),
        .init("gt", "5", "5", .noMatch),
        .init("gt", "1", "99999999999999999999999", .match),
        .init("gt", "0", "", .noMatch),
        .init("gt", "-5", "-4", .match),
        .init("gt", "%{tx.limit}", "101", .match, macros: ["tx.limit": "100"]),
        .init("gt", "%{tx.limit}", "100", .noMatch, macros: ["tx.limit": "100"]),
    ]

    @Test(arguments: cases)
    func evaluates(_ item: OperatorCase) throws {
        let (result, _) = try evaluateOperator(item.name, item.argument, item.input, macros: item.macros)
        #expect(result == item.expected)
    }
}
