import Testing

@testable import TollgateRules

/// `@ge`: integer comparison (atoll-like parsing; non-numeric is 0; macros expand per evaluation).
@Suite struct OperatorGeTests {
    static let cases: [OperatorCase] = [
        .init("ge", "5", "5", .match),
        .init("ge", "5", "4", .noMatch),
        .init(
            "ge", "%{tx.inbound_anomaly_score_threshold}", "7", .match,
            macros: ["tx.inbound_anomaly_score_threshold": "5"]),
        .init(
            "ge", "%{tx.inbound_anomaly_score_threshold}", "4", .noMatch,
            macros: ["tx.inbound_anomaly_score_threshold": "5"]),
        .init("ge", "0", "", .match),
        .init("ge", "-1", "-1", .match),
        .init("ge", "10", "9abc", .noMatch),
        .init("ge", "abc", "0", .match),
    ]

    @Test(arguments: cases)
    func evaluates(_ item: OperatorCase) throws {
        let (result, _) = try evaluateOperator(item.name, item.argument, item.input, macros: item.macros)
        #expect(result == item.expected)
    }
}
