import Testing

@testable import TollgateLimiter

@Suite struct IdentityTests {
    static func jwt(_ payloadJSON: String) -> String {
        "Bearer eyJhbGciOiJIUzI1NiJ9." + base64url(Array(payloadJSON.utf8)) + ".c2lnbmF0dXJl"
    }

    static func base64url(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let chunk = Array(bytes[i..<min(i + 3, bytes.count)])
            let b = chunk + [UInt8](repeating: 0, count: 3 - chunk.count)
            let n = UInt32(b[0]) << 16 | UInt32(b[1]) << 8 | UInt32(b[2])
            for k in 0..<(chunk.count + 1) { out.append(alphabet[Int((n >> UInt32(18 - 6 * k)) & 63)]) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: Spec parsing

    @Test(arguments: [
        ("ip", "ip"),
        ("forwarded", "forwarded"),
        ("header:X-Api-Key", "header:x-api-key"),
        ("jwt:sub", "jwt:sub"),
        (" header:X-Api-Key , ip ", "header:x-api-key,ip"),
        ("jwt:sub+forwarded,forwarded", "jwt:sub+forwarded,forwarded"),
        ("IP", "ip"),
    ])
    func validSpecs(text: String, canonical: String) throws {
        #expect(try ClientKeySpec(parsing: text).description == canonical)
    }

    @Test(arguments: [
        ("", ClientKeyError.Code.emptySpec),
        ("   ", .emptySpec),
        ("ip,", .emptyTerm),
        ("ip++forwarded", .emptyTerm),
        ("cookie:session", .unknownSource),
        ("header:", .missingArgument),
        ("jwt", .missingArgument),
        ("header", .missingArgument),
        ("jwt:", .missingArgument),
        ("header:X Api", .invalidHeaderName),
        ("header:X-Api(Key)", .invalidHeaderName),
        ("ip:1", .unexpectedArgument),
        ("jwt:a b", .invalidClaim),
    ])
    func invalidSpecs(text: String, code: ClientKeyError.Code) {
        #expect(throws: ClientKeyError(code, text)) { try ClientKeySpec(parsing: text) }
        do {
            _ = try ClientKeySpec(parsing: text)
        } catch {
            #expect(error.code == code)
            #expect(!error.description.isEmpty)
        }
    }

    // MARK: Addresses

    @Test(arguments: [
        ("192.0.2.1", "192.0.2.1"),
        ("2001:db8::1", "2001:db8::1"),
        ("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
    ])
    func addressesParseAndPrintCanonically(text: String, canonical: String) throws {
        #expect(try #require(IPAddress(text)).description == canonical)
    }

    @Test(arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ", "::1::", "1:2:3:4:5:6:7:8:9", "12345::",
        "fe80::1%eth0", "g::1", ":1", "1:", "abc",
    ])
    func invalidAddresses(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test(arguments: [
        ("10.0.0.0/8", "10.1.2.3", true), ("10.0.0.0/8", "11.0.0.1", false), ("192.0.2.7", "192.0.2.7", true),
        ("192.0.2.7", "192.0.2.8", false), ("2001:db8::/32", "2001:db8:ffff::1", true),
        ("2001:db8::/32", "2001:db9::1", false), ("0.0.0.0/0", "203.0.113.9", true),
        ("10.0.0.0/8", "::ffff:10.9.9.9", true),
    ])
    func cidrMembership(cidr: String, address: String, inside: Bool) throws {
        #expect(try CIDR(cidr).contains(try #require(IPAddress(address))) == inside)
    }

    @Test(arguments: ["10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "2001:db8::/129", "nope", "10.0.0.0/-1"])
    func invalidCIDRs(text: String) {
        #expect(throws: ClientKeyError(.invalidCIDR, text)) { try CIDR(text) }
    }

    // MARK: Forwarded

    struct ForwardedCase: Sendable, CustomTestStringConvertible {
        let name: String
        let peer: String
        let headers: [(String, String)]
        let expected: String
        var testDescription: String { name }
    }

    static let trusted = ["10.0.0.0/8", "2001:db8:ffff::/48"]

    static let forwardedCases: [ForwardedCase] = [
        ForwardedCase(
            name: "untrusted peer: XFF ignored (spoofing)", peer: "203.0.113.5",
            headers: [("X-Forwarded-For", "1.1.1.1")], expected: "203.0.113.5"),
        ForwardedCase(
            name: "trusted peer: last hop is the client", peer: "10.0.0.2",
            headers: [("X-Forwarded-For", "198.51.100.7")], expected: "198.51.100.7"),
        ForwardedCase(
            name: "client-prepended entries are not reached", peer: "10.0.0.2",
            headers: [("x-forwarded-for", "6.6.6.6, 198.51.100.7")], expected: "198.51.100.7"),
        ForwardedCase(
            name: "chain of trusted proxies", peer: "10.0.0.2",
            headers: [("X-Forwarded-For", "6.6.6.6, 198.51.100.7, 10.0.0.9, 10.1.1.1")], expected: "198.51.100.7"),
        ForwardedCase(
            name: "several XFF fields are one list", peer: "10.0.0.2",
            headers: [("X-Forwarded-For", "6.6.6.6"), ("X-Forwarded-For", "198.51.100.7, 10.0.0.3")],
            expected: "198.51.100.7"),
        ForwardedCase(
            name: "all hops trusted: left-most", peer: "10.0.0.2",
            headers: [("X-Forwarded-For", "10.0.0.4, 10.0.0.3")], expected: "10.0.0.4"),
        ForwardedCase(
            name: "no header: the trusted peer itself", peer: "10.0.0.2", headers: [], expected: "10.0.0.2"),
        ForwardedCase(
            name: "malformed hop stops at last trusted address", peer: "10.0.0.2",
            headers: [("X-Forwarded-For", "198.51.100.7, not-an-ip, 10.0.0.3")], expected: "10.0.0.3"),
        ForwardedCase(
            name: "port on IPv4 hop", peer: "10.0.0.2", headers: [("X-Forwarded-For", "198.51.100.7:5555")],
            expected: "198.51.100.7"),
        ForwardedCase(
            name: "Forwarded header preferred, quoted IPv6 with port", peer: "10.0.0.2",
            headers: [
                ("X-Forwarded-For", "1.1.1.1"),
                ("Forwarded", "for=6.6.6.6, for=\"[2001:db8:cafe::17]:4711\";proto=https;by=10.0.0.2"),
            ],
            expected: "2001:db8:cafe::/64"),
        ForwardedCase(
            name: "Forwarded obfuscated identifier stops the walk", peer: "10.0.0.2",
            headers: [("Forwarded", "for=198.51.100.7, for=_hidden")], expected: "10.0.0.2"),
        ForwardedCase(
            name: "trusted IPv6 proxy", peer: "2001:db8:ffff::1",
            headers: [("X-Forwarded-For", "[2001:db8:1:2:3:4:5:6]")], expected: "2001:db8:1:2::/64"),
    ]

    @Test(arguments: forwardedCases)
    func forwardedResolution(c: ForwardedCase) throws {
        let id = try ClientIdentity(spec: "forwarded", trustedProxies: IdentityTests.trusted)
        let peer = try #require(IPAddress(c.peer))
        #expect(id.key(peer: peer, headers: c.headers).text == "ip:\(c.expected)")
    }

    // MARK: Headers, JWT, combinations, fallback

    @Test func headerKeyFallsBackToIP() throws {
        let id = try ClientIdentity(spec: "header:X-Api-Key,ip")
        let peer = try #require(IPAddress("192.0.2.9"))
        let withKey = id.key(peer: peer, headers: [("x-api-key", " abc123 ")])
        #expect(withKey.text == "header:x-api-key=abc123" && withKey.alternative == 0)
        let without = id.key(peer: peer, headers: [("Other", "v")])
        #expect(without.text == "ip:192.0.2.9" && without.alternative == 1)
        let empty = id.key(peer: peer, headers: [("X-API-KEY", "  ")])
        #expect(empty.text == "ip:192.0.2.9")
    }

    @Test func noAlternativeYieldsThePeer() throws {
        let id = try ClientIdentity(spec: "header:X-Api-Key")
        let key = id.key(peer: try #require(IPAddress("2001:db8:aa:bb:1:2:3:4")), headers: [])
        #expect(key.text == "ip:2001:db8:aa:bb::/64" && key.alternative == nil)
    }

    @Test func ipv6ClientsShareTheirPrefix() throws {
        let id = try ClientIdentity(spec: "ip")
        let a = id.key(peer: try #require(IPAddress("2001:db8:1:2::1")), headers: [])
        let b = id.key(peer: try #require(IPAddress("2001:db8:1:2:ffff::9")), headers: [])
        #expect(a == ClientKey(text: b.text, alternative: b.alternative))
        let exact = try ClientIdentity(spec: "ip", ipv6PrefixLength: 128)
        #expect(exact.key(peer: try #require(IPAddress("2001:db8::1")), headers: []).text == "ip:2001:db8::1")
        #expect(throws: ClientKeyError(.invalidPrefix, "0")) { try ClientIdentity(spec: "ip", ipv6PrefixLength: 0) }
    }

    @Test func jwtClaimIsReadWithoutVerification() throws {
        let id = try ClientIdentity(spec: "jwt:sub,ip")
        let peer = try #require(IPAddress("192.0.2.1"))
        let token = IdentityTests.jwt(#"{"iss":"x","nested":{"sub":"no"},"sub":"user-42","n":[1,2]}"#)
        #expect(id.key(peer: peer, headers: [("Authorization", token)]).text == "jwt:sub=user-42")
        let numeric = try ClientIdentity(spec: "jwt:uid")
        #expect(
            numeric.key(peer: peer, headers: [("authorization", IdentityTests.jwt(#"{"uid": 1234}"#))]).text
                == "jwt:uid=1234")
        let escaped = IdentityTests.jwt(#"{"sub":"caf\u00e9 \ud83d\ude00"}"#)
        #expect(id.key(peer: peer, headers: [("Authorization", escaped)]).text == "jwt:sub=café 😀")
    }

    @Test(arguments: [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer onlyonepart",
        "Bearer a.b",
        "Bearer a.b.c.d",
        "Bearer eyJhbGciOiJIUzI1NiJ9.!!!.sig",
        "Bearer eyJhbGciOiJIUzI1NiJ9.e.sig",
        "Bearer x." + IdentityTests.base64url(Array(#"{"sub":"a""#.utf8)) + ".s",
        "Bearer x." + IdentityTests.base64url(Array(#"["sub","a"]"#.utf8)) + ".s",
        "Bearer x." + IdentityTests.base64url(Array(#"{"sub":null}"#.utf8)) + ".s",
        "Bearer x." + IdentityTests.base64url(Array(#"{"sub":{"a":1}}"#.utf8)) + ".s",
        "Bearer x." + IdentityTests.base64url(Array(#"{"other":"a"}"#.utf8)) + ".s",
        "Bearer x." + IdentityTests.base64url(Array(#"{"sub":"a"} trailing"#.utf8)) + ".s",
        "Bearer x." + IdentityTests.base64url(Array(#"{"sub":"\ud800"}"#.utf8)) + ".s",
        "Bearer x." + IdentityTests.base64url(Array(#"{"sub":01}"#.utf8)) + ".s",
        "Bearer x." + IdentityTests.base64url(Array((String(repeating: "[", count: 100) + "]").utf8)) + ".s",
        "Bearer x." + IdentityTests.base64url(Array(#"{"a":"#.utf8) + Array(String(repeating: "[", count: 100).utf8))
            + ".s",
    ])
    func malformedTokensFallBack(authorization: String) throws {
        let id = try ClientIdentity(spec: "jwt:sub,ip")
        let key = id.key(peer: try #require(IPAddress("192.0.2.1")), headers: [("Authorization", authorization)])
        #expect(key.text == "ip:192.0.2.1")
    }

    @Test func combinationsAreUnambiguous() throws {
        let id = try ClientIdentity(spec: "header:X-Api-Key+ip,ip")
        let peer = try #require(IPAddress("192.0.2.1"))
        let key = id.key(peer: peer, headers: [("X-Api-Key", "k")])
        #expect(key.text == "18:header:x-api-key=k12:ip:192.0.2.1" && key.alternative == 0)
        // Missing one part of a combination falls to the next alternative.
        #expect(id.key(peer: peer, headers: []).text == "ip:192.0.2.1")
    }

    @Test func base64urlDecoding() {
        #expect(JWTClaim.base64URLDecode("aGVsbG8") == Array("hello".utf8))
        #expect(JWTClaim.base64URLDecode("aGVsbG8=") == Array("hello".utf8))
        #expect(JWTClaim.base64URLDecode("-_8") == [0xFB, 0xFF])
        #expect(JWTClaim.base64URLDecode("a") == nil)
        #expect(JWTClaim.base64URLDecode("a+b/") == nil)
    }
}
