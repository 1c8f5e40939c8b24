import Testing

@testable import TollgateRules

/// `@validateByteRange`: matches when a byte is outside the allowed ranges.
@Suite struct OperatorValidateByteRangeTests {
    static let cases: [OperatorCase] = [
        .init("validateByteRange", "1-255", "normal text", .noMatch),
        .init("validateByteRange", "1-255", bytes: [0x61, 0x00], .match),
        .init("validateByteRange", "1-255", bytes: [], .noMatch),
        .init("validateByteRange", "9,10,13,32-126,128-255", "tab\tok", .noMatch),
        .init("validateByteRange", "9,10,13,32-126,128-255", bytes: [0x7F], .match),
        .init("validateByteRange", "9,10,13,32-126,128-255", bytes: [0xFF, 0x80], .noMatch),
        .init("validateByteRange", "38,44-46,48-58,61,65-90,95,97-122", "a=1&b=2", .noMatch),
        .init("validateByteRange", "38,44-46,48-58,61,65-90,95,97-122", "a=<1>", .match),
    ]

    @Test(arguments: cases)
    func evaluates(_ item: OperatorCase) throws {
        let (result, _) = try evaluateOperator(item.name, item.argument, item.input, macros: item.macros)
        #expect(result == item.expected)
    }

    @Test(arguments: ["", "a-b", "10-5", "256", "1-300", "-1", "1,,x"])
    func invalidRangesFailTheLoad(_ argument: String) {
        #expect(throws: OperatorLoadError.self) {
            _ = try OperatorFactory.make(name: "validateByteRange", argument: argument, baseDirectory: "/")
        }
    }
}
