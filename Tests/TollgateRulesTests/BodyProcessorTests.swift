import Testing

@testable import TollgateRules

@Suite("Body processors")
struct BodyProcessorTests {
    static let base = """
        SecRequestBodyAccess On
        SecRule REQUEST_HEADERS:Content-Type "@rx json" "id:100,phase:1,pass,nolog,ctl:requestBodyProcessor=JSON"
        SecRule REQUEST_HEADERS:Content-Type "@rx xml" "id:101,phase:1,pass,nolog,ctl:requestBodyProcessor=XML"
        SecRule REQBODY_ERROR "!@eq 0" "id:200,phase:2,pass,log,msg:'%{REQBODY_ERROR_MSG}'"
        SecRule MULTIPART_STRICT_ERROR "!@eq 0" "id:201,phase:2,pass,log"
        """

    static func post(_ engine: Engine, _ contentType: String, _ body: String) -> Transaction {
        TestSupport.run(
            engine, method: "POST", uri: "/p", headers: [("Host", "h"), ("Content-Type", contentType)], body: body)
    }

    @Test("urlencoded bodies become ARGS_POST, decoded")
    func urlencoded() throws {
        let engine = try TestSupport.engine(
            Self.base + "\nSecRule ARGS_POST:a \"@streq x y&\" \"id:1,phase:2,pass,log\"")
        #expect(TestSupport.ids(Self.post(engine, "application/x-www-form-urlencoded", "a=x+y%26&b=2")) == [1])
    }

    @Test("JSON arguments are named json.a.b; array elements json.a.array_<index>; the array name holds the count")
    func json() throws {
        let engine = try TestSupport.engine(
            Self.base + """

                SecRule ARGS:json.user.name "@streq bob" "id:1,phase:2,pass,log"
                SecRule ARGS:json.tags.array_1 "@streq two" "id:2,phase:2,pass,log"
                SecRule ARGS_NAMES "@streq json.n" "id:3,phase:2,pass,log"
                SecRule ARGS:json.tags "@eq 2" "id:4,phase:2,pass,log"
                SecRule ARGS:json.tags "@streq one" "id:5,phase:2,pass,log"
                """)
        let tx = Self.post(engine, "application/json", #"{"user":{"name":"bob"},"tags":["one","two"],"n":null}"#)
        #expect(TestSupport.ids(tx) == [1, 2, 3, 4])
    }

    /// Names and values a JSON body flattens to, in document order.
    static func flatten(_ json: String) throws -> [String] {
        let limits = BodyLimits(arguments: 1000, depth: 64, files: 10)
        return try JSONBodyProcessor.parse(Array(json.utf8), limits: limits).map {
            String(decoding: $0.key, as: UTF8.self) + "=" + String(decoding: $0.value, as: UTF8.self)
        }
    }

    @Test(
        "array elements are indexed from 0 at every level (ModSecurity v3); each array's name carries its count (Coraza)",
        arguments: [
            (#"{"a":[1,2]}"#, ["json.a=2", "json.a.array_0=1", "json.a.array_1=2"]),
            (#"[1,"x"]"#, ["json=2", "json.array_0=1", "json.array_1=x"]),
            (
                #"{"a":[{"b":1},{"b":2,"c":[true]}]}"#,
                [
                    "json.a=2", "json.a.array_0.b=1", "json.a.array_1.b=2", "json.a.array_1.c=1",
                    "json.a.array_1.c.array_0=true",
                ]
            ),
            (
                #"{"m":[[1,2],[],[3]]}"#,
                [
                    "json.m=3", "json.m.array_0=2", "json.m.array_0.array_0=1", "json.m.array_0.array_1=2",
                    "json.m.array_1=0", "json.m.array_2=1", "json.m.array_2.array_0=3",
                ]
            ),
            (#"{"e":[],"o":{},"n":[null]}"#, ["json.e=0", "json.n=1", "json.n.array_0="]),
            (#""s""#, ["json=s"]),
        ])
    func jsonArrayNames(json: String, expected: [String]) throws {
        #expect(try Self.flatten(json) == expected)
    }

    @Test(
        "an array of n elements: its name holds n, the last element is .array_<n-1>, there is no .array_<n>",
        arguments: [1, 9, 10, 11, 500, 501])
    func jsonArrayLength(n: Int) throws {
        let body = "{\"a\":[" + Array(repeating: "0", count: n).joined(separator: ",") + "]}"
        let arguments = try Self.flatten(body)
        let names = arguments.map { String($0.prefix { $0 != "=" }) }
        #expect(arguments.first == "json.a=\(n)")
        #expect(names.count == n + 1)
        #expect(names.last == "json.a.array_\(n - 1)")
        #expect(!names.contains("json.a.array_\(n)"))
    }

    @Test("malformed JSON sets REQBODY_ERROR")
    func jsonError() throws {
        let engine = try TestSupport.engine(Self.base)
        let tx = Self.post(engine, "application/json", #"{"a": tru}"#)
        #expect(TestSupport.ids(tx) == [200])
        #expect(tx.verdict == .allow)
    }

    @Test("JSON deeper than the depth limit is an explicit error verdict, not a truncation")
    func jsonDepth() throws {
        let engine = try TestSupport.engine(Self.base + "\nSecRequestBodyJsonDepthLimit 3")
        let tx = Self.post(engine, "application/json", #"{"a":{"b":{"c":{"d":1}}}}"#)
        #expect(tx.verdict == .block(status: 400, ruleID: 0))
        #expect(tx.matchedRules.isEmpty || TestSupport.ids(tx) == [200])
    }

    @Test("more arguments than SecArgumentsLimit is an explicit error verdict")
    func argumentLimit() throws {
        let engine = try TestSupport.engine(Self.base + "\nSecArgumentsLimit 3")
        let tx = Self.post(engine, "application/x-www-form-urlencoded", "a=1&b=2&c=3&d=4")
        #expect(tx.verdict == .block(status: 400, ruleID: 0))
        let json = Self.post(engine, "application/json", "[1,2,3,4]")
        #expect(json.verdict == .block(status: 400, ruleID: 0))
    }

    @Test("a body over SecRequestBodyNoFilesLimit is refused with 413 (Reject)")
    func sizeLimit() throws {
        let engine = try TestSupport.engine(Self.base + "\nSecRequestBodyNoFilesLimit 10")
        let tx = Self.post(engine, "application/x-www-form-urlencoded", "a=0123456789")
        #expect(tx.verdict == .block(status: 413, ruleID: 0))
    }

    @Test("XML text and attributes are visible through XML:/* and XML://@*")
    func xml() throws {
        let engine = try TestSupport.engine(
            Self.base + """

                SecRule XML:/* "@contains hello world" "id:1,phase:2,pass,log"
                SecRule XML://@* "@streq v<1>" "id:2,phase:2,pass,log"
                """)
        let tx = Self.post(
            engine, "application/xml", #"<?xml version="1.0"?><r><a k="v&lt;1&gt;">hello</a> <b>world</b></r>"#)
        #expect(TestSupport.ids(tx) == [1, 2])
        let bad = Self.post(engine, "application/xml", "<r><a></r>")
        #expect(TestSupport.ids(bad) == [200])
    }

    @Test("multipart: fields, files, part headers")
    func multipart() throws {
        let engine = try TestSupport.engine(
            Self.base + """

                SecRule ARGS:field "@streq value" "id:1,phase:2,pass,log"
                SecRule FILES:upload "@streq a.php" "id:2,phase:2,pass,log"
                SecRule FILES_SIZES:upload "@eq 5" "id:3,phase:2,pass,log"
                SecRule MULTIPART_PART_HEADERS "@rx ^Content-Type: text/plain" "id:4,phase:2,pass,log"
                """)
        let body =
            "--XX\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\nvalue\r\n"
            + "--XX\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"a.php\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XX--\r\n"
        let tx = Self.post(engine, "multipart/form-data; boundary=XX", body)
        #expect(TestSupport.ids(tx) == [1, 2, 3, 4])
    }

    @Test(
        "multipart irregularities set MULTIPART_STRICT_ERROR",
        arguments: [
            "junk\r\n--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--XX--\r\n",  // data before
            "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--XX--\r\ntrailing",  // data after
            "--XX\r\nContent-Disposition: form-data name=\"a\"\r\n\r\nv\r\n--XX--\r\n",  // missing semicolon
            "--XX\r\nContent-Disposition: form-data; name='a'\r\n\r\nv\r\n--XX--\r\n",  // invalid quoting
            "--XX\r\nContent-Disposition: form-data;\r\n name=\"a\"\r\n\r\nv\r\n--XX--\r\n",  // header folding
        ])
    func multipartStrict(_ body: String) throws {
        let engine = try TestSupport.engine(Self.base)
        #expect(TestSupport.ids(Self.post(engine, "multipart/form-data; boundary=XX", body)).contains(201))
    }

    @Test("multipart without a final boundary is a body error")
    func multipartUnfinished() throws {
        let engine = try TestSupport.engine(Self.base)
        let tx = Self.post(
            engine, "multipart/form-data; boundary=XX",
            "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n")
        #expect(TestSupport.ids(tx).contains(200))
    }
}
