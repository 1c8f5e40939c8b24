import Testing

@testable import TollgateRules

@Suite struct OperatorNumericTests {
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
        .init("ge", "5", "5", .match),
        .init("ge", "5", "4", .noMatch),
        .init("gt", "5", "6", .match),
        .init("gt", "5", "5", .noMatch),
        .init("le", "5", "5", .match),
        .init("le", "5", "6", .noMatch),
        .init("lt", "5", "4", .match),
        .init("lt", "5", "5", .noMatch),
        .init("lt", "1", "-99999999999999999999999", .match),  // saturates, no overflow trap
        .init("gt", "1", "99999999999999999999999", .match),
        .init(
            "ge", "%{tx.inbound_anomaly_score_threshold}", "7", .match,
            macros: ["tx.inbound_anomaly_score_threshold": "5"]),
        .init(
            "ge", "%{tx.inbound_anomaly_score_threshold}", "4", .noMatch,
            macros: ["tx.inbound_anomaly_score_threshold": "5"]),
        .init("lt", "%{tx.paranoia_level}", "1", .match, macros: ["tx.paranoia_level": "2"]),
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
