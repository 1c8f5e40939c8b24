import Testing

@testable import TollgateRules

/// `@validateUrlEncoding`: matches on a `%` not followed by two hex digits.
@Suite struct OperatorValidateUrlEncodingTests {
    static let cases: [OperatorCase] = [
        .init("validateUrlEncoding", "", "a%20b%2F", .noMatch),
        .init("validateUrlEncoding", "", "plain", .noMatch),
        .init("validateUrlEncoding", "", "", .noMatch),
        .init("validateUrlEncoding", "", "100%", .match),
        .init("validateUrlEncoding", "", "%4", .match),
        .init("validateUrlEncoding", "", "%zz", .match),
        .init("validateUrlEncoding", "", "%u0041", .match),
        .init("validateUrlEncoding", "", "ok%41%", .match),
    ]

    @Test(arguments: cases)
    func evaluates(_ item: OperatorCase) throws {
        let (result, _) = try evaluateOperator(item.name, item.argument, item.input, macros: item.macros)
        #expect(result == item.expected)
    }
}
