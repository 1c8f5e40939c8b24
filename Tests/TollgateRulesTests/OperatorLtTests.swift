import Testing

@testable import TollgateRules

/// `@lt`: integer comparison (atoll-like parsing; non-numeric is 0; macros expand per evaluation).
@Suite struct OperatorLtTests {
    static let cases: [OperatorCase] = [
        .init("lt", "5", "4", .match),
        .init("lt", "5", "5", .noMatch),
        .init("lt", "1", "-99999999999999999999999", .match),  // saturates, no overflow trap
        .init("lt", "%{tx.paranoia_level}", "1", .match, macros: ["tx.paranoia_level": "2"]),
        .init("lt", "1", "", .match),
        .init("lt", "0", "-0", .noMatch),
        .init("lt", "%{tx.detection_paranoia_level}", "2", .noMatch, macros: ["tx.detection_paranoia_level": "1"]),
    ]

    @Test(arguments: cases)
    func evaluates(_ item: OperatorCase) throws {
        let (result, _) = try evaluateOperator(item.name, item.argument, item.input, macros: item.macros)
        #expect(result == item.expected)
    }
}
