import Foundation
import Testing
import TollgateHTTP

@Test func parsesSimpleGet() throws {
    let (head, n) = try #require(parsedRequest(crlf("GET /a?b=1 HTTP/1.1\nHost: x\n\n")))
    #expect(head.method == .get)
    #expect(head.path == "/a")
    #expect(head.query == "b=1")
    #expect(head.host == "x")
    #expect(head.keepAlive)
    #expect(head.bodyFraming == .none)
    #expect(n == 32)
}
