import Testing

@testable import TollgateRules

/// `@streq`, `@within`, `@beginsWith`, `@endsWith`, `@contains`, `@strmatch`, `@containsWord`.
@Suite struct OperatorStringTests {
    static let cases: [OperatorCase] = [
        .init("streq", "POST", "POST", .match),
        .init("streq", "POST", "post", .noMatch),
        .init("streq", "POST", "POST ", .noMatch),
        .init("streq", "", "", .match),
        .init("streq", "%{tx.2}", "abc", .match, macros: ["tx.2": "abc"]),
        .init("streq", "%{ARGS._method}", "PUT", .noMatch, macros: ["args._method": "GET"]),
        .init("within", "GET HEAD POST", "GET", .match),
        .init("within", "GET HEAD POST", "PUT", .noMatch),
        .init("within", "GET HEAD POST", "ET HE", .match),  // plain substring, as ModSecurity
        .init("within", "GET", "", .match),
        .init("within", "%{tx.allowed_methods}", "OPTIONS", .match, macros: ["tx.allowed_methods": "GET OPTIONS"]),
        .init("within", "%{tx.allowed_methods}", "DELETE", .noMatch, macros: ["tx.allowed_methods": "GET OPTIONS"]),
        .init("within", "|application/json| |text/xml|", "|text/xml|", .match),
        .init("beginsWith", "/admin", "/admin/x", .match),
        .init("beginsWith", "/admin", "/Admin", .noMatch),
        .init("beginsWith", "/admin", "/adm", .noMatch),
        .init("beginsWith", "", "x", .match),
        .init("endsWith", ".pdf", "file.pdf", .match),
        .init("endsWith", ".pdf", "file.pdf.exe", .noMatch),
        .init(
            "endsWith", ".%{request_headers.host}", "a.example.com", .match,
            macros: ["request_headers.host": "example.com"]),
        .init("endsWith", "long suffix", "fix", .noMatch),
        .init("contains", "-->", "a-->b", .match),
        .init("contains", "#", "abc", .noMatch),
        .init("contains", "aab", "aaab", .match),
        .init("contains", "", "", .match),
        .init("strmatch", "WebZIP", "Mozilla WebZIP/4", .match),
        .init("containsWord", "select", "union select x", .match),
        .init("containsWord", "select", "selection", .noMatch),
        .init("containsWord", "select", "preselect", .noMatch),
        .init("containsWord", "select", "preselect select", .match),
        .init("containsWord", "select", "select", .match),
        .init("containsWord", "select", "(select)", .match),
        .init("containsWord", "select", "x_select", .noMatch),
    ]

    @Test(arguments: cases)
    func evaluates(_ item: OperatorCase) throws {
        let (result, _) = try evaluateOperator(item.name, item.argument, item.input, macros: item.macros)
        #expect(result == item.expected)
    }
}
