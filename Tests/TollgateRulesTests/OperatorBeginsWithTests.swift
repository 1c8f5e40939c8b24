import Testing

@testable import TollgateRules

/// `@beginsWith`: prefix match against the macro-expanded argument.
@Suite struct OperatorBeginsWithTests {
    static let cases: [OperatorCase] = [
        .init("beginsWith", "/admin", "/admin/x", .match),
        .init("beginsWith", "/admin", "/Admin", .noMatch),
        .init("beginsWith", "/admin", "/adm", .noMatch),
        .init("beginsWith", "", "x", .match),
        .init("beginsWith", "/index.php", "/index.php?x=1", .match),
        .init("beginsWith", "#:~:text=", "#:~:text=foo", .match),
        .init("beginsWith", "%{tx.p}", "abc", .match, macros: ["tx.p": "ab"]),
        .init("beginsWith", "a", "", .noMatch),
    ]

    @Test(arguments: cases)
    func evaluates(_ item: OperatorCase) throws {
        let (result, _) = try evaluateOperator(item.name, item.argument, item.input, macros: item.macros)
        #expect(result == item.expected)
    }
}
