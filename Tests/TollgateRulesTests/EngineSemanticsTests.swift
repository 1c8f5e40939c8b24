import Testing
import TollgateHTTP
import TollgateRules

@Suite("Engine semantics")
struct EngineSemanticsTests {
    @Test("a chain matches only when every link matches; actions run on the full match")
    func chains() throws {
        let engine = try TestSupport.engine(
            """
            SecRule ARGS:a "@streq 1" "id:10,phase:1,deny,status:403,chain"
                SecRule ARGS:b "@streq 2" "setvar:tx.chained=yes"
            """)
        let both = TestSupport.run(engine, uri: "/?a=1&b=2")
        #expect(TestSupport.ids(both) == [10])
        #expect(both.verdict == .block(status: 403, ruleID: 10))
        #expect(both.transactionVariable("chained") == "yes")
        let one = TestSupport.run(engine, uri: "/?a=1&b=3")
        #expect(TestSupport.ids(one) == [])
        #expect(one.verdict == .allow)
        #expect(one.transactionVariable("chained") == nil)
    }

    @Test("skipAfter jumps past the marker; skip skips the next rules")
    func skipping() throws {
        let engine = try TestSupport.engine(
            """
            SecAction "id:1,phase:1,pass,nolog,skipAfter:END"
            SecAction "id:2,phase:1,pass,log"
            SecMarker END
            SecAction "id:3,phase:1,pass,log,skip:1"
            SecAction "id:4,phase:1,pass,log"
            SecAction "id:5,phase:1,pass,log"
            """)
        let tx = TestSupport.run(engine)
        #expect(tx.matchedRules.filter(\.logged).map(\.id) == [3, 5])
    }

    @Test("setvar: set, add, subtract, delete, with macros in names and values")
    func setvar() throws {
        let engine = try TestSupport.engine(
            """
            SecAction "id:1,phase:1,pass,nolog,setvar:tx.score=5,setvar:tx.score=+3,setvar:tx.score=-1,setvar:tx.gone=x,setvar:!tx.gone"
            SecAction "id:2,phase:1,pass,nolog,setvar:'tx.copy_%{tx.score}=%{tx.score}',setvar:tx.flag"
            SecRule TX:copy_7 "@eq 7" "id:3,phase:1,pass,log,msg:'score %{TX.SCORE}'"
            """)
        let tx = TestSupport.run(engine)
        #expect(tx.transactionVariable("score") == "7")
        #expect(tx.transactionVariable("gone") == nil)
        #expect(tx.transactionVariable("copy_7") == "7")
        #expect(tx.transactionVariable("flag") == "1")
        #expect(tx.matchedRules.first?.message == "score 7")
    }

    @Test("macros: MATCHED_VAR, MATCHED_VAR_NAME, REQUEST_HEADERS.host, captures")
    func macros() throws {
        let engine = try TestSupport.engine(
            """
            SecRule ARGS "@rx (b+)" "id:1,phase:1,pass,capture,log,msg:'%{MATCHED_VAR_NAME}=%{MATCHED_VAR} on %{request_headers.host}',logdata:'%{TX.1}'"
            """)
        let tx = TestSupport.run(engine, uri: "/?q=abbc", headers: [("Host", "example.test")])
        let rule = try #require(tx.matchedRules.first)
        #expect(rule.message == "ARGS:q=abbc on example.test")
        #expect(rule.logData == "bb")
    }

    @Test("ctl: ruleRemoveById and ruleRemoveTargetById affect later rules of the transaction")
    func ctl() throws {
        let engine = try TestSupport.engine(
            """
            SecAction "id:1,phase:1,pass,nolog,ctl:ruleRemoveById=20,ctl:ruleRemoveTargetById=30;ARGS:skipme"
            SecRule ARGS "@rx attack" "id:20,phase:1,pass,log"
            SecRule ARGS "@rx attack" "id:30,phase:1,pass,log"
            """)
        let excluded = TestSupport.run(engine, uri: "/?skipme=attack")
        #expect(TestSupport.ids(excluded) == [])
        let other = TestSupport.run(engine, uri: "/?other=attack")
        #expect(TestSupport.ids(other) == [30])
    }

    @Test("ctl:ruleEngine=DetectionOnly logs but does not block; Off stops evaluation")
    func ruleEngineControl() throws {
        let detect = try TestSupport.engine(
            """
            SecAction "id:1,phase:1,pass,nolog,ctl:ruleEngine=DetectionOnly"
            SecRule ARGS "@rx x" "id:2,phase:1,deny,status:403"
            """)
        let tx = TestSupport.run(detect, uri: "/?a=x")
        #expect(tx.verdict == .allow)
        #expect(TestSupport.ids(tx) == [2])
        #expect(tx.wouldBlock == .block(status: 403, ruleID: 2))

        let off = try TestSupport.engine(
            """
            SecAction "id:1,phase:1,pass,nolog,ctl:ruleEngine=Off"
            SecRule ARGS "@rx x" "id:2,phase:1,deny,status:403"
            """)
        #expect(TestSupport.ids(TestSupport.run(off, uri: "/?a=x")) == [])
    }

    @Test("Tollgate's detect mode never blocks; off mode never evaluates")
    func modes() throws {
        let rules = "SecRule ARGS \"@rx x\" \"id:2,phase:1,deny,status:403\""
        #expect(
            TestSupport.run(try TestSupport.engine(rules, mode: .block), uri: "/?a=x").verdict
                == .block(status: 403, ruleID: 2))
        #expect(TestSupport.run(try TestSupport.engine(rules, mode: .detect), uri: "/?a=x").verdict == .allow)
        #expect(TestSupport.run(try TestSupport.engine(rules, mode: .off), uri: "/?a=x").matchedRules.isEmpty)
    }

    @Test("block uses SecDefaultAction's disruptive action and status")
    func blockDefault() throws {
        let engine = try TestSupport.engine(
            """
            SecDefaultAction "phase:2,log,deny,status:418"
            SecRule ARGS "@rx x" "id:2,phase:2,block"
            """)
        #expect(TestSupport.run(engine, uri: "/?a=x").verdict == .block(status: 418, ruleID: 2))
    }

    @Test("the proxy learns from the transaction whether and how much body to buffer")
    func bodyWanted() throws {
        let engine = try TestSupport.engine(
            """
            SecRequestBodyAccess On
            SecRequestBodyNoFilesLimit 1000
            SecResponseBodyAccess On
            SecRule REQUEST_FILENAME "@streq /upload" "id:1,phase:1,pass,nolog,ctl:requestBodyAccess=Off"
            """)
        let tx = engine.transaction(
            for: RequestInput(method: "POST", target: "/form", headers: [HeaderField("Host", "h")]))
        _ = tx.processRequestHeaders()
        #expect(tx.wantsRequestBody)
        #expect(tx.requestBodyInspectionLimit == 1000)
        _ = tx.processRequestBody([])
        _ = tx.processResponseHeaders(ResponseInput(status: 200, headers: [HeaderField("Content-Type", "image/png")]))
        #expect(!tx.wantsResponseBody)
        let upload = engine.transaction(
            for: RequestInput(method: "POST", target: "/upload", headers: [HeaderField("Host", "h")]))
        _ = upload.processRequestHeaders()
        #expect(!upload.wantsRequestBody)
    }

    @Test("a phase-1 deny stops phase 2")
    func denyStops() throws {
        let engine = try TestSupport.engine(
            """
            SecRule ARGS "@rx x" "id:1,phase:1,deny,status:401"
            SecAction "id:2,phase:2,pass,log"
            """)
        let tx = TestSupport.run(engine, uri: "/?a=x")
        #expect(tx.verdict == .block(status: 401, ruleID: 1))
        #expect(TestSupport.ids(tx) == [1])
    }

    @Test("negation, counts, exclusions and regex keys")
    func targets() throws {
        let engine = try TestSupport.engine(
            """
            SecRule &ARGS "@eq 2" "id:1,phase:1,pass,log"
            SecRule ARGS|!ARGS:safe "@rx evil" "id:2,phase:1,pass,log"
            SecRule ARGS:/^pre_/ "@rx evil" "id:3,phase:1,pass,log"
            SecRule REQUEST_HEADERS:X-Test "!@streq ok" "id:4,phase:1,pass,log"
            SecRule &REQUEST_HEADERS:x-test "@eq 1" "id:5,phase:1,pass,log"
            """)
        let tx = TestSupport.run(engine, uri: "/?safe=evil&pre_a=evil", headers: [("Host", "h"), ("x-TEST", "bad")])
        #expect(TestSupport.ids(tx) == [1, 2, 3, 4, 5])
        #expect(tx.matchedRules[1].matchedVariableName == "ARGS:pre_a")
        let clean = TestSupport.run(engine, uri: "/?safe=evil", headers: [("Host", "h"), ("X-Test", "ok")])
        #expect(TestSupport.ids(clean) == [5])
    }

    @Test("SecRuleUpdateTargetById adds exclusions to a loaded rule")
    func updateTarget() throws {
        let engine = try TestSupport.engine(
            """
            SecRule ARGS "@rx evil" "id:2,phase:1,pass,log"
            SecRuleUpdateTargetById 2 "!ARGS:/^ok/"
            """)
        #expect(TestSupport.ids(TestSupport.run(engine, uri: "/?ok1=evil")) == [])
        #expect(TestSupport.ids(TestSupport.run(engine, uri: "/?bad=evil")) == [2])
    }

    @Test("transformations apply before the operator; multiMatch checks every stage")
    func transformations() throws {
        let engine = try TestSupport.engine(
            """
            SecRule ARGS "@streq abc" "id:1,phase:1,pass,log,t:none,t:lowercase"
            SecRule ARGS "@streq ABC" "id:2,phase:1,pass,log,t:none,t:lowercase,multiMatch"
            SecRule ARGS "@streq ABC" "id:3,phase:1,pass,log,t:none,t:lowercase"
            """)
        #expect(TestSupport.ids(TestSupport.run(engine, uri: "/?a=ABC")) == [1, 2])
    }

    @Test("the audit record redacts Authorization and cookies")
    func audit() throws {
        let engine = try TestSupport.engine("SecRule ARGS \"@rx x\" \"id:2,phase:1,pass,log,msg:'hit'\"")
        let tx = TestSupport.run(
            engine, uri: "/?a=x", headers: [("Host", "h"), ("Authorization", "Bearer s3cret"), ("Cookie", "sid=abc")])
        let line = tx.auditRecord().jsonLine
        #expect(!line.contains("s3cret"))
        #expect(!line.contains("sid=abc"))
        #expect(line.contains("\"id\":2"))
        #expect(line.contains("[redacted]"))

        let configured = Engine(ruleSet: engine.ruleSet, redactedFields: ["Password"])
        let login = TestSupport.run(configured, uri: "/login?user=bob&password=hunter2&a=x")
        let record = login.auditRecord()
        #expect(record.uri == "/login?user=bob&password=[redacted]&a=x")
        #expect(!record.jsonLine.contains("hunter2"))
    }

    @Test("SecAuditEngine RelevantOnly audits matched requests only; ctl:auditEngine=Off turns it off")
    func auditEngine() throws {
        let engine = try TestSupport.engine(
            """
            SecAuditEngine RelevantOnly
            SecRule ARGS "@rx x" "id:2,phase:1,pass,log"
            SecRule ARGS:quiet "@rx ." "id:3,phase:1,pass,nolog,ctl:auditEngine=Off"
            """)
        #expect(TestSupport.run(engine, uri: "/?a=x").auditWanted)
        #expect(!TestSupport.run(engine, uri: "/?a=y").auditWanted)
        #expect(!TestSupport.run(engine, uri: "/?a=x&quiet=1").auditWanted)
    }

    @Test("per-request options: mode override and preset TX variables")
    func options() throws {
        let engine = try TestSupport.engine(
            """
            SecRule &TX:level "@eq 0" "id:1,phase:1,pass,nolog,setvar:tx.level=1"
            SecRule TX:level "@ge 2" "id:2,phase:1,deny,status:403"
            """)
        let request = RequestInput(method: "GET", target: "/", headers: [HeaderField("Host", "h")])
        let strict = engine.transaction(for: request, options: TransactionOptions(transactionVariables: ["level": "2"]))
        #expect(strict.processRequestHeaders() == .block(status: 403, ruleID: 2))
        #expect(engine.transaction(for: request).processRequestHeaders() == .allow)
        let off = engine.transaction(
            for: request, options: TransactionOptions(mode: .off, transactionVariables: ["level": "2"]))
        #expect(off.processRequestHeaders() == .allow)
    }

    @Test("response phases see status, headers and an inspected body type")
    func response() throws {
        let engine = try TestSupport.engine(
            """
            SecResponseBodyAccess On
            SecRule RESPONSE_STATUS "@eq 500" "id:1,phase:3,pass,log"
            SecRule RESPONSE_BODY "@contains stack trace" "id:2,phase:4,deny,status:502"
            """)
        let tx = engine.transaction(for: RequestInput(method: "GET", target: "/", headers: [HeaderField("Host", "h")]))
        _ = tx.processRequestHeaders()
        _ = tx.processRequestBody([])
        _ = tx.processResponseHeaders(
            ResponseInput(status: 500, headers: [HeaderField("Content-Type", "text/html; charset=utf-8")]))
        let verdict = tx.processResponseBody(Array("a stack trace here".utf8))
        #expect(verdict == .block(status: 502, ruleID: 2))
        #expect(TestSupport.ids(tx) == [1, 2])
    }
}

@Suite("Engine semantics: actions")
struct EngineActionTests {
    @Test("SecRuleUpdateActionById replaces the disruptive action")
    func updateAction() throws {
        let engine = try TestSupport.engine(
            """
            SecRule ARGS "@rx x" "id:5,phase:1,pass,log"
            SecRuleUpdateActionById 5 "deny,status:409"
            """)
        #expect(TestSupport.run(engine, uri: "/?a=x").verdict == .block(status: 409, ruleID: 5))
    }

    @Test("ctl:ruleRemoveByTag removes tagged rules for the rest of the transaction")
    func removeByTag() throws {
        let engine = try TestSupport.engine(
            """
            SecAction "id:1,phase:1,pass,nolog,ctl:ruleRemoveByTag=noisy"
            SecRule ARGS "@rx x" "id:2,phase:2,pass,log,tag:'noisy'"
            SecRule ARGS "@rx x" "id:3,phase:2,pass,log,tag:'quiet'"
            """)
        #expect(TestSupport.ids(TestSupport.run(engine, uri: "/?a=x")) == [3])
    }

    @Test("allow stops the remaining request rules; drop and redirect are verdicts")
    func allowDropRedirect() throws {
        let allow = try TestSupport.engine(
            """
            SecRule REQUEST_FILENAME "@streq /health" "id:1,phase:1,allow,nolog"
            SecRule ARGS "@rx x" "id:2,phase:2,deny"
            """)
        #expect(TestSupport.run(allow, uri: "/health?a=x").verdict == .allow)
        #expect(TestSupport.run(allow, uri: "/other?a=x").verdict == .block(status: 403, ruleID: 2))

        let drop = try TestSupport.engine("SecRule ARGS \"@rx x\" \"id:3,phase:1,drop\"")
        #expect(TestSupport.run(drop, uri: "/?a=x").verdict == .drop(ruleID: 3))

        let redirect = try TestSupport.engine(
            "SecRule ARGS \"@rx x\" \"id:4,phase:1,redirect:'https://example.test/?from=%{REQUEST_FILENAME}'\"")
        #expect(
            TestSupport.run(redirect, uri: "/p?a=x").verdict
                == .redirect(status: 302, location: "https://example.test/?from=/p", ruleID: 4))
    }

    @Test("setvar runs for every matching value, as CRS's parameter counter expects")
    func setvarPerMatch() throws {
        let engine = try TestSupport.engine(
            """
            SecRule ARGS_NAMES "@rx ." "id:1,phase:1,pass,nolog,setvar:'tx.count_%{MATCHED_VAR_NAME}=+1'"
            SecRule TX:/^count_/ "@gt 1" "id:2,phase:1,pass,log"
            """)
        #expect(TestSupport.ids(TestSupport.run(engine, uri: "/?a=1&a=2&b=3")) == [2])
        #expect(TestSupport.ids(TestSupport.run(engine, uri: "/?a=1&b=3")) == [])
    }
}

@Suite("Engine input from TollgateHTTP")
struct EngineInputTests {
    @Test("a parsed head becomes the request the rules see")
    func fromHead() throws {
        let raw = Array("POST /a/b.php?x=1 HTTP/1.1\r\nHost: h\r\nX-Thing: v\r\nContent-Length: 3\r\n\r\n".utf8)
        guard case .complete(let head, _) = HTTPRequestHead.parse(raw) else {
            Issue.record("head did not parse")
            return
        }
        let engine = try TestSupport.engine(
            """
            SecRule REQUEST_LINE "@streq POST /a/b.php?x=1 HTTP/1.1" "id:1,phase:1,pass,log"
            SecRule REQUEST_HEADERS:x-thing "@streq v" "id:2,phase:1,pass,log"
            SecRule REQUEST_BASENAME "@streq b.php" "id:3,phase:1,pass,log"
            SecRule ARGS_GET:x "@eq 1" "id:4,phase:1,pass,log"
            """)
        let tx = engine.transaction(for: RequestInput(head: head, remoteAddress: "10.0.0.1", remotePort: 5000))
        _ = tx.processRequestHeaders()
        #expect(TestSupport.ids(tx) == [1, 2, 3, 4])
    }
}
