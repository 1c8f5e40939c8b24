import Testing

@testable import TollgateRules

/// `@validateUtf8Encoding`: matches on ill-formed UTF-8 (overlong, surrogate, above U+10FFFF, truncated).
@Suite struct OperatorValidateUtf8EncodingTests {
    static let cases: [OperatorCase] = [
        .init("validateUtf8Encoding", "", "plain ascii", .noMatch),
        .init("validateUtf8Encoding", "", "caf\u{e9} \u{1F600} \u{FFFD}", .noMatch),
        .init("validateUtf8Encoding", "", bytes: [], .noMatch),
        .init("validateUtf8Encoding", "", bytes: [0xC0, 0xAF], .match),  // overlong '/'
        .init("validateUtf8Encoding", "", bytes: [0xE0, 0x80, 0xAF], .match),  // overlong 3-byte
        .init("validateUtf8Encoding", "", bytes: [0xF0, 0x80, 0x80, 0xAF], .match),  // overlong 4-byte
        .init("validateUtf8Encoding", "", bytes: [0xED, 0xA0, 0x80], .match),  // surrogate U+D800
        .init("validateUtf8Encoding", "", bytes: [0xF4, 0x90, 0x80, 0x80], .match),  // U+110000
        .init("validateUtf8Encoding", "", bytes: [0xF5, 0x80, 0x80, 0x80], .match),
        .init("validateUtf8Encoding", "", bytes: [0x61, 0xC3], .match),  // truncated
        .init("validateUtf8Encoding", "", bytes: [0xE2, 0x82], .match),  // truncated
        .init("validateUtf8Encoding", "", bytes: [0x80], .match),  // lone continuation
        .init("validateUtf8Encoding", "", bytes: [0xC3, 0x28], .match),  // bad continuation
        .init("validateUtf8Encoding", "", bytes: [0xFF], .match),
        .init("validateUtf8Encoding", "", bytes: [0xF4, 0x8F, 0xBF, 0xBF], .noMatch),  // U+10FFFF
        .init("validateUtf8Encoding", "", bytes: [0x00], .noMatch),
    ]

    @Test(arguments: cases)
    func evaluates(_ item: OperatorCase) throws {
        let (result, _) = try evaluateOperator(item.name, item.argument, item.input, macros: item.macros)
        #expect(result == item.expected)
    }

    @Test func utf8ValidatorAgreesWithTheStandardLibrary() {
        var generator = SystemRandomNumberGenerator()
        let pool: [UInt8] = [
            0x41, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF,
        ]
        for _ in 0..<2_000 {
            let bytes = (0..<Int.random(in: 0...6, using: &generator)).map { _ in
                pool.randomElement(using: &generator) ?? 0
            }
            let standard = String(validating: bytes, as: UTF8.self) != nil
            #expect(ValidateUtf8EncodingOperator.isValid(bytes) == standard, "bytes \(bytes)")
        }
    }
}
