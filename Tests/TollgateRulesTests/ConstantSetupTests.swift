import Foundation
import Testing

@testable import TollgateRules

/// The set-up evaluated at load (`ConstantSetup`) must leave every transaction exactly as running all rules would.
@Suite("Constant set-up evaluated at load")
struct ConstantSetupTests {
    /// A CRS-shaped ruleset: set-up, defaults that keep preset values, a check that denies without set-up, a
    /// Content-Type rule in between, paranoia gates and request rules.
    static let rules = """
        SecAction "id:900000,phase:1,pass,nolog,setvar:tx.blocking_paranoia_level=1"
        SecRule REQUEST_HEADERS:Content-Type "@rx ^application/json" \
            "id:200001,phase:1,pass,nolog,t:lowercase,ctl:requestBodyProcessor=JSON"
        SecRule &TX:blocking_paranoia_level "@eq 0" "id:901001,phase:1,deny,status:500,log,msg:'no set-up'"
        SecRule &TX:detection_paranoia_level "@eq 0" \
            "id:901120,phase:1,pass,nolog,setvar:tx.detection_paranoia_level=%{TX.blocking_paranoia_level}"
        SecAction "id:901200,phase:1,pass,nolog,setvar:tx.score=0,setvar:tx.critical=5"
        SecRule REQUEST_METHOD "@rx ^POST$" "id:901300,phase:1,pass,nolog,setvar:tx.posts=+1"
        SecRule TX:DETECTION_PARANOIA_LEVEL "@lt 1" "id:911011,phase:1,pass,nolog,skipAfter:END-911"
        SecRule ARGS "@rx attack" "id:911100,phase:1,pass,log,msg:'pl1 %{MATCHED_VAR}',setvar:tx.score=+%{tx.critical}"
        SecRule TX:DETECTION_PARANOIA_LEVEL "@lt 2" "id:911013,phase:1,pass,nolog,skipAfter:END-911"
        SecRule ARGS "@rx attack" "id:911200,phase:1,pass,log,msg:'pl2',setvar:tx.score=+%{tx.critical}"
        SecMarker END-911
        SecRule TX:DETECTION_PARANOIA_LEVEL "@lt 2" "id:911014,phase:2,pass,nolog,skipAfter:END-911-2"
        SecRule ARGS "@rx attack" "id:911210,phase:2,pass,log,msg:'pl2 body'"
        SecMarker END-911-2
        SecRule ARGS:remove "@streq gate" "id:920001,phase:1,pass,nolog,ctl:ruleRemoveById=911014"
        SecRule TX:score "@ge 5" "id:949110,phase:2,deny,status:403,log,msg:'score %{tx.score} %{MATCHED_VAR_NAME}'"
        """

    static func engines(_ text: String = rules) throws -> (folded: Engine, plain: Engine) {
        let ruleSet = try RuleSetLoader.ruleSet(text: text)
        return (Engine(ruleSet: ruleSet, mode: .block), Engine(ruleSet: ruleSet, mode: .block, constantSetup: false))
    }

    static func same(_ a: Transaction, _ b: Transaction, _ label: String) {
        #expect(TestSupport.ids(a) == TestSupport.ids(b), "\(label)")
        #expect(a.matchedRules.map(\.message) == b.matchedRules.map(\.message), "\(label)")
        #expect(a.verdict == b.verdict, "\(label)")
        for key in ["score", "detection_paranoia_level", "blocking_paranoia_level", "posts", "critical"] {
            #expect(a.transactionVariable(key) == b.transactionVariable(key), "\(label): tx.\(key)")
        }
    }

    @Test("the set-up and the gates are decided at load, with the same outcome as running them")
    func sameOutcome() throws {
        let (folded, plain) = try Self.engines()
        let setup = try #require(folded.constantSetup)
        // 200001, 901300 and 911100 read the request and stay; the rest up to 920001 (a rule ctl) is folded,
        // the gates included, and 911200, which 911013 always skips, with them.
        #expect(setup.preludeIDs == [900000, 901001, 901120, 901200, 911011, 911013, 911200])
        #expect(setup.programs[1].rules.map(\.id) == [200001, 901300, 911100, 920001])
        // The phase-2 gate is decided at load.
        let gates = setup.programs[2].rules.indices.filter { setup.programs[2].gates[$0] != nil }
        #expect(gates.map { setup.programs[2].rules[$0].id } == [911014])
        #expect(plain.constantSetup == nil)
        let requests: [(String, String, [(String, String)], String)] = [
            ("GET", "/?q=fine", [("Host", "a")], ""),
            ("GET", "/?q=attack", [("Host", "a")], ""),
            ("GET", "/?q=attack&remove=gate", [("Host", "a")], ""),
            ("POST", "/", [("Host", "a"), ("Content-Type", "application/json")], "{\"q\": \"attack\"}"),
            ("POST", "/", [("Host", "a"), ("Content-Type", "application/x-www-form-urlencoded")], "q=x"),
        ]
        for (method, uri, headers, body) in requests {
            let a = TestSupport.run(folded, method: method, uri: uri, headers: headers, body: body)
            let b = TestSupport.run(plain, method: method, uri: uri, headers: headers, body: body)
            Self.same(a, b, "\(method) \(uri)")
        }
        let attack = TestSupport.run(folded, uri: "/?q=attack")
        #expect(TestSupport.ids(attack) == [911100, 949110])
        #expect(attack.matchedRules.last?.message == "score 5 TX:score")
    }

    @Test("preset TX variables (a per-function paranoia level) run the rules as written")
    func presetVariables() throws {
        let (folded, plain) = try Self.engines()
        let options = TransactionOptions(transactionVariables: ["detection_paranoia_level": "2"])
        func run(_ engine: Engine) -> Transaction {
            let tx = engine.transaction(
                for: RequestInput(method: "GET", target: "/?q=attack", headers: [HeaderField("Host", "a")]),
                options: options)
            _ = tx.processRequestHeaders()
            _ = tx.processRequestBody([])
            return tx
        }
        let a = run(folded)
        let b = run(plain)
        #expect(TestSupport.ids(a) == [911100, 911200, 911210, 949110])
        Self.same(a, b, "preset level 2")
    }

    @Test("a gate whose key a later rule may write is evaluated")
    func writtenKeys() throws {
        for writer in [
            "SecRule ARGS:pl \"@rx .\" \"id:5,phase:1,pass,nolog,setvar:tx.detection_paranoia_level=%{MATCHED_VAR}\"",
            "SecRule ARGS:pl \"@rx .\" \"id:5,phase:1,pass,nolog,setvar:tx.detection_%{MATCHED_VAR}=2\"",
        ] {
            let text = """
                SecAction "id:1,phase:1,pass,nolog,setvar:tx.detection_paranoia_level=1"
                SecRule REQUEST_METHOD "@rx ^GET$" "id:2,phase:1,pass,nolog,setvar:tx.seen=1"
                \(writer)
                SecRule TX:detection_paranoia_level "@lt 2" "id:10,phase:1,pass,nolog,skipAfter:END"
                SecRule ARGS "@rx attack" "id:11,phase:1,pass,log"
                SecMarker END
                """
            let (folded, plain) = try Self.engines(text)
            let setup = try #require(folded.constantSetup)
            #expect(setup.preludeIDs == [1])
            #expect(setup.programs[1].gates.allSatisfy { $0 == nil }, "\(writer)")
            for uri in ["/?pl=2&q=attack", "/?pl=paranoia_level&q=attack", "/?q=attack"] {
                Self.same(TestSupport.run(folded, uri: uri), TestSupport.run(plain, uri: uri), "\(writer) \(uri)")
            }
        }
    }

    @Test("capture makes TX:0-9 run-time keys; a comparison of another key is folded")
    func captureKeys() throws {
        let text = """
            SecAction "id:1,phase:1,pass,nolog,setvar:tx.0=1,setvar:tx.other=1"
            SecRule ARGS "@rx (a)" "id:2,phase:1,pass,nolog,capture"
            SecRule TX:0 "@eq 1" "id:3,phase:1,pass,log,msg:'zero'"
            SecRule TX:0 "@eq 1" "id:4,phase:1,pass,nolog"
            SecRule TX:other "@eq 1" "id:5,phase:1,pass,nolog"
            SecAction "id:6,phase:1,pass,log,msg:'%{MATCHED_VAR_NAME}'"
            """
        let (folded, plain) = try Self.engines(text)
        let setup = try #require(folded.constantSetup)
        #expect(setup.preludeIDs == [1, 5])
        #expect(setup.programs[1].rules.map(\.id) == [2, 3, 4, 6])
        for uri in ["/?q=a", "/?q=b"] {
            Self.same(TestSupport.run(folded, uri: uri), TestSupport.run(plain, uri: uri), uri)
        }
        // 5 matched last before 6: MATCHED_VAR_NAME is its variable, as when every rule runs in order.
        #expect(TestSupport.run(folded, uri: "/?q=b").matchedRules.last?.message == "TX:other")
    }
}

extension ConstantSetupTests {
    @Test("rules a decided gate always skips leave the scanners; a gate that does not apply brings them back")
    func skippedRules() throws {
        let text = """
            SecAction "id:1,phase:1,pass,nolog,setvar:tx.detection_paranoia_level=1"
            SecRule ARGS:remove "@streq gate" "id:5,phase:1,pass,nolog,ctl:ruleRemoveById=10"
            SecRule ARGS:remove "@streq target" "id:6,phase:1,pass,nolog,ctl:ruleRemoveTargetByTag=gate;TX"
            SecRule ARGS "@rx levelone" "id:7,phase:1,pass,log,msg:'pl1'"
            SecRule TX:detection_paranoia_level "@lt 2" "id:10,phase:1,pass,nolog,tag:gate,skipAfter:END"
            SecRule ARGS "@rx leveltwo" "id:20,phase:1,pass,log,msg:'pl2'"
            SecRule ARGS "@pm alpha bravo" "id:21,phase:1,pass,log,msg:'pl2 pm'"
            SecMarker END
            SecRule ARGS "@rx levelone" "id:30,phase:2,pass,log,msg:'after'"
            """
        let (folded, plain) = try Self.engines(text)
        let setup = try #require(folded.constantSetup)
        #expect(setup.skippedIDs == [20, 21])
        #expect(setup.scanners.scanners.count == 2)
        let uris = [
            "/?q=leveltwo", "/?q=levelone+bravo", "/?remove=gate&q=leveltwo", "/?remove=gate&q=alpha",
            "/?remove=target&q=leveltwo", "/?q=levelone&remove=gate&r=bravo",
        ]
        for uri in uris {
            let a = TestSupport.run(folded, uri: uri)
            let b = TestSupport.run(plain, uri: uri)
            #expect(TestSupport.ids(a) == TestSupport.ids(b), "\(uri)")
        }
        // With the gate removed, the skipped rules run and find their literals.
        #expect(TestSupport.ids(TestSupport.run(folded, uri: "/?remove=gate&q=leveltwo")) == [20])
        #expect(TestSupport.ids(TestSupport.run(folded, uri: "/?remove=target&q=alpha")) == [21])
        #expect(TestSupport.ids(TestSupport.run(folded, uri: "/?q=levelone&remove=gate&r=bravo")) == [7, 21, 30])
        #expect(TestSupport.ids(TestSupport.run(folded, uri: "/?q=leveltwo+alpha")).isEmpty)
    }
}

extension ConstantSetupTests {
    /// CRS's paranoia-level set-up after the route rules: the detection level from the blocking level, then a
    /// gate before a level-2 rule.
    static let paranoiaSetup = """
        SecRule &TX:detection_paranoia_level "@eq 0" \
            "id:901120,phase:1,pass,nolog,setvar:tx.detection_paranoia_level=%{TX.blocking_paranoia_level}"
        SecAction "id:901200,phase:1,pass,nolog,setvar:tx.score=0"
        SecRule TX:DETECTION_PARANOIA_LEVEL "@lt 2" "id:911013,phase:1,pass,nolog,skipAfter:END"
        SecRule ARGS "@rx attack" "id:911200,phase:1,pass,log,msg:'pl2'"
        SecMarker END
        """

    @Test("per-route rules that set TX stay in place; folding continues past them unless their keys are involved")
    func rulesThatStay() throws {
        let text = """
            SecAction "id:4759000,phase:1,pass,nolog,setvar:'tx.blocking_paranoia_level=1'"
            SecRule REQUEST_FILENAME "@beginsWith /api" \
                "id:4759001,phase:1,pass,nolog,setvar:'tx.tollgate_allowed_methods=GET POST'"
            SecRule REQUEST_FILENAME "@beginsWith /admin" "id:4759002,phase:1,pass,nolog,setvar:'tx.admin=1'"
            \(Self.paranoiaSetup)
            SecRule REQUEST_METHOD "!@within %{tx.tollgate_allowed_methods}" \
                "id:4750100,phase:1,deny,status:405,log,chain"
                SecRule &TX:tollgate_allowed_methods "@eq 1" "t:none"
            """
        let (folded, plain) = try Self.engines(text)
        let setup = try #require(folded.constantSetup)
        // The gate is part of the set-up too: the rule it always skips is left out with it.
        #expect(setup.preludeIDs == [4759000, 901120, 901200, 911013, 911200])
        #expect(setup.programs[1].rules.map(\.id) == [4759001, 4759002, 4750100])
        for (method, uri) in [("GET", "/api?q=attack"), ("PUT", "/api/x"), ("PUT", "/other"), ("GET", "/admin")] {
            let a = TestSupport.run(folded, method: method, uri: uri)
            let b = TestSupport.run(plain, method: method, uri: uri)
            Self.same(a, b, "\(method) \(uri)")
        }
        #expect(TestSupport.run(folded, method: "PUT", uri: "/api/x").verdict == .block(status: 405, ruleID: 4750100))
    }

    @Test("a per-route paranoia level keeps the set-up that reads it, and the gates, per request")
    func perRouteParanoia() throws {
        let text = """
            SecAction "id:4759000,phase:1,pass,nolog,setvar:'tx.blocking_paranoia_level=1'"
            SecRule REQUEST_FILENAME "@beginsWith /admin" \
                "id:4759001,phase:1,pass,nolog,setvar:'tx.blocking_paranoia_level=2'"
            \(Self.paranoiaSetup)
            """
        let (folded, plain) = try Self.engines(text)
        let setup = try #require(folded.constantSetup)
        // 901120 reads what the route rule writes: it runs per request, and so does the gate after it.
        #expect(setup.preludeIDs == [4759000, 901200])
        #expect(setup.skippedIDs.isEmpty)
        for uri in ["/admin?q=attack", "/api?q=attack"] {
            Self.same(TestSupport.run(folded, uri: uri), TestSupport.run(plain, uri: uri), uri)
        }
        #expect(TestSupport.ids(TestSupport.run(folded, uri: "/admin?q=attack")) == [911200])
        #expect(TestSupport.ids(TestSupport.run(folded, uri: "/api?q=attack")).isEmpty)
    }

    @Test("MATCHED_VAR after the set-up is what running every rule in order leaves")
    func matchedVarOrder() throws {
        let text = """
            SecRule REQUEST_HEADERS:Content-Type "@rx json" "id:1,phase:1,pass,nolog"
            SecRule &TX:x "@eq 0" "id:2,phase:1,pass,nolog,setvar:tx.x=1"
            SecRule REQUEST_METHOD "@rx ^NOPE$" "id:3,phase:1,pass,nolog"
            SecAction "id:4,phase:1,pass,log,msg:'%{MATCHED_VAR_NAME}=%{MATCHED_VAR}'"
            SecRule REQUEST_HEADERS:Content-Type "@rx xml" "id:5,phase:1,pass,nolog"
            SecAction "id:6,phase:1,pass,log,msg:'%{MATCHED_VAR}'"
            """
        let (folded, plain) = try Self.engines(text)
        #expect(try #require(folded.constantSetup).preludeIDs == [2])
        for type in ["application/json", "text/xml", "text/plain"] {
            let headers = [("Host", "a"), ("Content-Type", type)]
            let a = TestSupport.run(folded, uri: "/", headers: headers)
            let b = TestSupport.run(plain, uri: "/", headers: headers)
            #expect(a.matchedRules.map(\.message) == b.matchedRules.map(\.message), "\(type)")
        }
        let json = TestSupport.run(folded, uri: "/", headers: [("Host", "a"), ("Content-Type", "application/json")])
        #expect(json.matchedRules.first?.message.hasSuffix("=0") == true)
    }
}

@Suite(
    "Constant set-up on CRS",
    .enabled(if: TestSupport.crsDirectory != nil, "CRS checkout ../shared/crs not present"))
struct ConstantSetupCRSTests {
    @Test("CRS verdicts, matched rules, messages and scores are the same with and without it")
    func sameOnCRS() throws {
        let ruleSet = try PrefilterSoundnessTests.crsRuleSet(prefilter: true)
        let folded = Engine(ruleSet: ruleSet, mode: .block)
        let plain = Engine(ruleSet: ruleSet, mode: .block, constantSetup: false)
        let setup = try #require(folded.constantSetup)
        #expect(setup.preludeIDs.count > 10)
        #expect(setup.programs.reduce(0) { $0 + $1.gates.compactMap { $0 }.count } > 50)
        var uris: [String] = []
        for subject in PrefilterCorpus.subjects().prefix(1500) {
            guard let text = String(bytes: subject, encoding: .utf8), text.hasPrefix("/"), !text.contains(" ") else {
                continue
            }
            uris.append(text)
        }
        uris += ["/products?page=2&sort=price", "/search?q=union%20select%201", "/?x=%3Cscript%3E"]
        let headers = [("Host", "localhost"), ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64)"), ("Accept", "*/*")]
        var blocked = 0
        for uri in uris {
            let a = TestSupport.run(folded, uri: uri, headers: headers)
            let b = TestSupport.run(plain, uri: uri, headers: headers)
            #expect(TestSupport.ids(a) == TestSupport.ids(b), "\(uri)")
            #expect(a.matchedRules.map(\.logData) == b.matchedRules.map(\.logData), "\(uri)")
            #expect(a.verdict == b.verdict, "\(uri)")
            #expect(a.anomalyScores.inbound == b.anomalyScores.inbound, "\(uri)")
            if a.verdict != .allow { blocked += 1 }
        }
        #expect(blocked > 30, "the URIs must include attacks")
        let json = [("Host", "localhost"), ("Content-Type", "application/json")]
        for body in ["{\"a\": 1}", "{\"q\": \"1' or '1'='1\"}", "{\"x\": \"<script>alert(1)</script>\"}"] {
            let a = TestSupport.run(folded, method: "POST", uri: "/api", headers: json, body: body)
            let b = TestSupport.run(plain, method: "POST", uri: "/api", headers: json, body: body)
            #expect(TestSupport.ids(a) == TestSupport.ids(b), "\(body)")
            #expect(a.verdict == b.verdict, "\(body)")
        }
    }
}
