import Testing

@testable import TollgateRules

/// `@within`: the value is a substring of the macro-expanded argument (ModSecurity semantics).
@Suite struct OperatorWithinTests {
    static let cases: [OperatorCase] = [
        .init("within", "GET HEAD POST", "GET", .match),
        .init("within", "GET HEAD POST", "PUT", .noMatch),
        .init("within", "GET HEAD POST", "ET HE", .match),  // plain substring, as ModSecurity
        .init("within", "GET", "", .match),
        .init("within", "%{tx.allowed_methods}", "OPTIONS", .match, macros: ["tx.allowed_methods": "GET OPTIONS"]),
        .init("within", "%{tx.allowed_methods}", "DELETE", .noMatch, macros: ["tx.allowed_methods": "GET OPTIONS"]),
        .init("within", "|application/json| |text/xml|", "|text/xml|", .match),
    ]

    @Test(arguments: cases)
    func evaluates(_ item: OperatorCase) throws {
        let (result, _) = try evaluateOperator(item.name, item.argument, item.input, macros: item.macros)
        #expect(result == item.expected)
    }
}
