import Testing

@testable import TollgateRules

/// `@streq`: exact, case-sensitive equality with the macro-expanded argument.
@Suite struct OperatorStrEqTests {
    static let cases: [OperatorCase] = [
        .init("streq", "POST", "POST", .match),
        .init("streq", "POST", "post", .noMatch),
        .init("streq", "POST", "POST ", .noMatch),
        .init("streq", "", "", .match),
        .init("streq", "%{tx.2}", "abc", .match, macros: ["tx.2": "abc"]),
        .init("streq", "%{ARGS._method}", "PUT", .noMatch, macros: ["args._method": "GET"]),
        .init("streq", "a", bytes: [0x61, 0x00], .noMatch),
        .init("streq", "GET /", "GET /", .match),
    ]

    @Test(arguments: cases)
    func evaluates(_ item: OperatorCase) throws {
        let (result, _) = try evaluateOperator(item.name, item.argument, item.input, macros: item.macros)
        #expect(result == item.expected)
    }
}
