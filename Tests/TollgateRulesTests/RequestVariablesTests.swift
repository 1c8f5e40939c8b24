import Testing
import TollgateRules

@Suite("Request variables")
struct RequestVariablesTests {
    struct Case: Sendable, CustomStringConvertible {
        var target: String
        var rule: String
        var description: String { "\(target) ~ \(rule)" }
    }

    static let cases: [Case] = [
        Case(target: "/a%20b/c.php?x=1", rule: #"REQUEST_FILENAME "@streq /a b/c.php""#),
        Case(target: "/a%20b/c.php?x=1", rule: #"REQUEST_BASENAME "@streq c.php""#),
        Case(target: "/a%20b/c.php?x=1", rule: #"REQUEST_URI "@streq /a%20b/c.php?x=1""#),
        Case(target: "/p?x=1&y", rule: #"QUERY_STRING "@streq x=1&y""#),
        Case(target: "http://example.test/p?q=1", rule: #"REQUEST_URI "@streq /p?q=1""#),
        Case(target: "http://example.test/p?q=1", rule: #"REQUEST_URI_RAW "@streq http://example.test/p?q=1""#),
        Case(target: "/?a=%41%zz+b", rule: #"ARGS:a "@streq A%zz b""#),
        Case(target: "/?flag", rule: #"&ARGS_GET:flag "@eq 1""#),
        Case(target: "/?a=1&a=2&b=3", rule: #"&ARGS:a "@eq 2""#),
        Case(target: "/?a=1&bb=22", rule: #"ARGS_COMBINED_SIZE "@eq 6""#),
        Case(target: "/?A=x", rule: #"ARGS_NAMES "@streq A""#),
        Case(target: "/", rule: #"REQUEST_LINE "@streq GET / HTTP/1.1""#),
        Case(target: "/", rule: #"REQUEST_PROTOCOL "@streq HTTP/1.1""#),
        Case(target: "/", rule: #"REQUEST_HEADERS_NAMES "@streq Cookie""#),
        Case(target: "/", rule: #"REQUEST_COOKIES:sid "@streq a=b""#),
        Case(target: "/", rule: #"REQUEST_COOKIES_NAMES "@streq theme""#),
        Case(target: "/", rule: #"&REQUEST_COOKIES:SID "@eq 0""#),
        Case(target: "/", rule: #"REMOTE_ADDR "@ipMatch 192.0.2.0/24""#),
        Case(target: "/", rule: #"UNIQUE_ID "@rx ^[0-9a-f]+$""#),
        Case(target: "/", rule: #"REQBODY_PROCESSOR "@streq ""#),
    ]

    @Test("request variables as ModSecurity exposes them", arguments: cases)
    func variable(_ c: Case) throws {
        let engine = try TestSupport.engine("SecRule \(c.rule) \"id:1,phase:1,pass,log\"")
        let request = RequestInput(
            method: "GET", target: c.target,
            headers: [HeaderField("Host", "h"), HeaderField("Cookie", "sid=a=b; theme=dark")],
            remoteAddress: "192.0.2.7", remotePort: 1234)
        let tx = engine.transaction(for: request)
        _ = tx.processRequestHeaders()
        #expect(tx.matchedRules.map(\.id) == [1])
    }
}
