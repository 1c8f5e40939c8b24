import Testing

@testable import TollgateRules

/// `@eq`: integer comparison (atoll-like parsing; non-numeric is 0; macros expand per evaluation).
@Suite struct OperatorEqTests {
    static let cases: [OperatorCase] = [
        .init("eq", "0", "0", .match),
        .init("eq", "0", "", .match),  // empty is 0
        .init("eq", "0", "abc", .match),  // non-numeric is 0, as ModSecurity
        .init("eq", "1", "abc", .noMatch),
        .init("eq", "5", " 5", .match),
        .init("eq", "5", "5abc", .match),
        .init("eq", "-3", "-3", .match),
        .init("eq", "3", "+3", .match),
        .init("eq", "abc", "0", .match),
        .init("eq", "%{tx.missing}", "0", .match),
    ]

    @Test(arguments: cases)
    func evaluates(_ item: OperatorCase) throws {
        let (result, _) = try evaluateOperator(item.name, item.argument, item.input, macros: item.macros)
        #expect(result == item.expected)
    }

    @Test func macrosWithoutAnExpanderExpandToEmpty() throws {
        let op = try OperatorFactory.make(name: "eq", argument: "%{tx.x}", baseDirectory: "/")
        var context = OperatorContext()
        #expect(op.evaluate(Array("0".utf8), context: &context) == .match)
    }
}
