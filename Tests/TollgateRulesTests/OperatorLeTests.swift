import Testing

@testable import TollgateRules

/// `@le`: integer comparison (atoll-like parsing; non-numeric is 0; macros expand per evaluation).
@Suite struct OperatorLeTests {
    static let cases: [OperatorCase] = [
        .init("le", "5", "5", .match),
        .init("le", "5", "6", .noMatch),
        .init("le", "0", "", .match),
        .init("le", "0", "x", .match),
        .init("le", "-1", "0", .noMatch),
        .init("le", "%{tx.n}", " 3", .match, macros: ["tx.n": "3"]),
        .init("le", "5", "\t5\n", .match),
    ]

    @Test(arguments: cases)
    func evaluates(_ item: OperatorCase) throws {
        let (result, _) = try evaluateOperator(item.name, item.argument, item.input, macros: item.macros)
        #expect(result == item.expected)
    }
}
