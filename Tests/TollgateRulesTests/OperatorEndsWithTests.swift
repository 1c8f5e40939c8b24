import Testing

@testable import TollgateRules

/// `@endsWith`: suffix match against the macro-expanded argument.
@Suite struct OperatorEndsWithTests {
    static let cases: [OperatorCase] = [
        .init("endsWith", ".pdf", "file.pdf", .match),
        .init("endsWith", ".pdf", "file.pdf.exe", .noMatch),
        .init(
            "endsWith", ".%{request_headers.host}", "a.example.com", .match,
            macros: ["request_headers.host": "example.com"]),
        .init("endsWith", "long suffix", "fix", .noMatch),
        .init("endsWith", "(internal dummy connection)", "Apache (internal dummy connection)", .match),
        .init("endsWith", "", "", .match),
        .init("endsWith", "x", "", .noMatch),
        .init("endsWith", "pdf", bytes: Array("a.pdf".utf8) + [0], .noMatch),
    ]

    @Test(arguments: cases)
    func evaluates(_ item: OperatorCase) throws {
        let (result, _) = try evaluateOperator(item.name, item.argument, item.input, macros: item.macros)
        #expect(result == item.expected)
    }
}
