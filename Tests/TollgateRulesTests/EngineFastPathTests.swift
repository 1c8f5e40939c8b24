import Testing

@testable import TollgateRules

/// The rule loop's shortcuts must give exactly what the general path gives.
@Suite("Engine fast paths")
struct EngineFastPathTests {
    /// Rules that compare one TX value with a number, written twice: as is (the TX fast path) and with a
    /// transformation that changes nothing for these values (`t:trim`, the general visitor path).
    static func comparisons(generic: Bool) -> String {
        let t = generic ? ",t:trim" : ""
        return """
            SecAction "id:1,phase:1,pass,nolog,setvar:tx.score=7,setvar:tx.threshold=5,setvar:tx.zero=0"
            SecRule TX:score "@ge 5" "id:10,phase:1,pass,log\(t),msg:'%{MATCHED_VAR_NAME}=%{MATCHED_VAR}'"
            SecRule TX:score "@lt 5" "id:11,phase:1,pass,log\(t),msg:'lt %{MATCHED_VAR}'"
            SecRule TX:SCORE "!@eq 7" "id:12,phase:1,pass,log\(t),msg:'neq'"
            SecRule TX:score "@gt %{tx.threshold}" "id:13,phase:1,pass,log\(t),msg:'macro %{MATCHED_VAR_NAME}'"
            SecRule &TX:missing "@eq 0" "id:14,phase:1,pass,log\(t),msg:'count %{MATCHED_VAR_NAME}=%{MATCHED_VAR}'"
            SecRule &TX:score "@eq 1" "id:15,phase:1,pass,log\(t),setvar:tx.seen=+1,msg:'seen'"
            SecRule TX:missing "@eq 0" "id:16,phase:1,pass,log\(t),msg:'absent never matches'"
            SecRule TX:zero "@le 0" "id:17,phase:1,pass,log\(t),chain"
                SecRule TX:seen "@eq 1" "msg:'chain %{MATCHED_VAR}'"
            SecRule TX:score "@ge 1" "id:18,phase:2,deny\(t),msg:'%{MATCHED_VARS_NAMES}'"
            """
    }

    @Test("a numeric TX comparison gives the same matches, MATCHED_VAR* and setvar as the general path")
    func txCompare() throws {
        let fast = try TestSupport.engine(Self.comparisons(generic: false))
        let general = try TestSupport.engine(Self.comparisons(generic: true))
        let rules = fast.ruleSet.phases[1].compactMap { item -> CompiledRule? in
            if case .rule(let rule) = item { return rule }
            return nil
        }
        // The shortcut is taken for the plain form, not for the transformed one.
        #expect(rules.filter { $0.txCompare != nil }.count >= 7)
        let a = TestSupport.run(fast)
        let b = TestSupport.run(general)
        #expect(TestSupport.ids(a) == [10, 13, 14, 15, 17, 18])
        #expect(TestSupport.ids(a) == TestSupport.ids(b))
        #expect(a.matchedRules.map(\.message) == b.matchedRules.map(\.message))
        #expect(a.matchedRules.first?.message == "TX:score=7")
        #expect(a.verdict == .block(status: 403, ruleID: 18))
        #expect(a.verdict == b.verdict)
    }

    @Test("a key regex that is ^ and a plain literal is a case-insensitive prefix for TX")
    func keyPrefix() throws {
        #expect(VariableTarget.literalPrefix(of: "^header_name_920450_") == Array("header_name_920450_".utf8))
        #expect(VariableTarget.literalPrefix(of: "^a-b9") == Array("a-b9".utf8))
        #expect(VariableTarget.literalPrefix(of: "header") == nil)
        #expect(VariableTarget.literalPrefix(of: "^a.b") == nil)
        #expect(VariableTarget.literalPrefix(of: "^ab$") == nil)
        #expect(VariableTarget.literalPrefix(of: "^") == nil)
        let engine = try TestSupport.engine(
            """
            SecAction "id:1,phase:1,pass,nolog,setvar:tx.Name_A=x,setvar:tx.name_b=y,setvar:tx.other_name_c=z"
            SecRule TX:/^NAME_/ "@rx ." "id:2,phase:1,pass,log,multiMatch,msg:'%{MATCHED_VARS_NAMES}'"
            SecRule TX:/^name_./ "@streq y" "id:3,phase:1,pass,log,msg:'%{MATCHED_VAR_NAME}'"
            """)
        let tx = TestSupport.run(engine)
        #expect(TestSupport.ids(tx) == [2, 3])
        #expect(tx.matchedRules.last?.message == "TX:name_b")
    }

    @Test("a key regex with required literals is checked by substring first, with PCRE2's verdict")
    func keyClauses() throws {
        let pattern = "MULTIPART_HEADERS_CONTENT_TYPES_*"
        #expect(VariableTarget.literalPrefix(of: pattern) == nil)
        #expect(RegexLiterals.requiredClauses(pattern) != nil)
        let clauses = try #require(RegexLiterals.requiredClauses("ab(?:cd|ef)"))
        #expect(Transaction.satisfies(clauses, Array("xxABEFyy".utf8)))
        #expect(Transaction.satisfies(clauses, Array("abcd".utf8)))
        #expect(!Transaction.satisfies(clauses, Array("abxcd".utf8)))
        #expect(!Transaction.satisfies(clauses, Array("".utf8)))
        let engine = try TestSupport.engine(
            """
            SecAction "id:1,phase:1,pass,nolog,setvar:tx.multipart_headers_content_types_0=a"
            SecAction "id:4,phase:1,pass,nolog,setvar:tx.x_MULTIPART_HEADERS_CONTENT_TYPES=b"
            SecAction "id:5,phase:1,pass,nolog,setvar:tx.multipart_headers_content=c,setvar:tx.other=d"
            SecRule TX:/MULTIPART_HEADERS_CONTENT_TYPES_*/ "@rx ." "id:2,phase:1,pass,nolog,setvar:tx.two=+1"
            SecRule TX:/^other$|content_types_0/ "@rx ." "id:3,phase:1,pass,nolog,setvar:tx.three=+1"
            SecRule TX:/^(?:a|b)$/ "@rx ." "id:6,phase:1,pass,nolog,setvar:tx.six=+1"
            """)
        let tx = TestSupport.run(engine)
        // Every matching key counts once (setvar runs per matching value).
        #expect(tx.transactionVariable("two") == "2")
        #expect(tx.transactionVariable("three") == "2")
        #expect(tx.transactionVariable("six") == nil)
    }

    @Test("contains, lowercased: every position, both cases, empty and longer needles")
    func containsLowercased() {
        let cases: [(String, String, Bool)] = [
            ("abc", "xxABCxx", true), ("abc", "abc", true), ("abc", "ab", false), ("", "", true), ("", "x", true),
            ("abc", "aabab", false), ("aab", "aaab", true), ("z", "ABCZ", true), ("ab", "a\u{0}b", false),
        ]
        for (needle, haystack, expected) in cases {
            #expect(ByteSearch.containsLowercased(Array(needle.utf8), in: Array(haystack.utf8)) == expected)
        }
    }

    @Test("skipAfter continues after the first following marker of its name, or ends the phase")
    func skipAfterTargets() throws {
        let engine = try TestSupport.engine(
            """
            SecMarker M
            SecAction "id:1,phase:1,pass,nolog,skipAfter:M"
            SecAction "id:2,phase:1,pass,log"
            SecMarker M
            SecAction "id:3,phase:1,pass,log,skipAfter:N"
            SecAction "id:4,phase:1,pass,log"
            SecMarker N
            SecMarker M
            SecAction "id:5,phase:1,pass,log,skipAfter:absent"
            SecAction "id:6,phase:1,pass,log"
            SecAction "id:7,phase:2,pass,log,skip:1"
            SecMarker between
            SecAction "id:8,phase:2,pass,log"
            SecAction "id:9,phase:2,pass,log"
            """)
        let program = engine.ruleSet.programs[1]
        #expect(program.rules.map(\.id) == [1, 2, 3, 4, 5, 6])
        #expect(program.skipAfterTargets == [2, 6, 4, 6, 6, 6])
        // skip counts rules, not markers.
        #expect(TestSupport.ids(TestSupport.run(engine)) == [3, 5, 7, 9])
    }

    @Test("block takes the phase's last SecDefaultAction, resolved at load")
    func effectiveActions() throws {
        let engine = try TestSupport.engine(
            """
            SecDefaultAction "phase:2,log,pass"
            SecRule ARGS "@rx a" "id:1,phase:2,block,log"
            SecDefaultAction "phase:2,nolog,deny,status:418"
            SecRule ARGS "@rx b" "id:2,phase:2,block,status:406"
            """)
        let rules = engine.ruleSet.programs[2].rules
        #expect(rules.map(\.effectiveAction) == [.deny, .deny])
        #expect(rules.map(\.effectiveStatus) == [418, 406])
        #expect(rules.map(\.logged) == [true, false])
        let tx = TestSupport.run(engine, uri: "/?q=a")
        #expect(tx.verdict == .block(status: 418, ruleID: 1))
    }

    @Test("ctl by tag reaches exactly the tagged rules, also on the TX fast path and for gates decided at load")
    func controlsByTag() throws {
        let text = """
            SecAction "id:1,phase:1,pass,nolog,setvar:tx.score=7"
            SecRule ARGS:q "@streq remove" "id:2,phase:1,pass,nolog,ctl:ruleRemoveTargetByTag=perf;TX:score"
            SecRule ARGS:q "@streq drop" "id:3,phase:1,pass,nolog,ctl:ruleRemoveByTag=gone"
            SecRule TX:score "@ge 5" "id:10,phase:1,pass,log,tag:perf,msg:'tagged'"
            SecRule TX:score "@ge 5" "id:11,phase:1,pass,log,tag:other,msg:'untagged'"
            SecRule TX:score "@ge 5" "id:12,phase:1,pass,nolog,tag:perf,skipAfter:END"
            SecRule ARGS "@rx ." "id:13,phase:1,pass,log,tag:gone,msg:'after the gate'"
            SecMarker END
            SecRule ARGS "@rx ." "id:14,phase:1,pass,log,tag:gone,msg:'after the marker'"
            """
        let ruleSet = try RuleSetLoader.ruleSet(text: text)
        let folded = Engine(ruleSet: ruleSet, mode: .block)
        let plain = Engine(ruleSet: ruleSet, mode: .block, constantSetup: false)
        #expect(folded.constantSetup?.programs[1].gates.contains { $0 != nil } == true)
        for engine in [folded, plain] {
            #expect(TestSupport.ids(TestSupport.run(engine, uri: "/?q=x")) == [10, 11, 14])
            // TX:score is no longer a target of 10 and 12: neither matches, so 13 runs.
            #expect(TestSupport.ids(TestSupport.run(engine, uri: "/?q=remove")) == [11, 13, 14])
            #expect(TestSupport.ids(TestSupport.run(engine, uri: "/?q=drop")) == [10, 11])
        }
    }

    @Test("the body drops the cached transformations of arguments, not those of headers")
    func bodyKeepsHeaderTransforms() throws {
        let engine = try TestSupport.engine(
            """
            SecRequestBodyAccess On
            SecRule REQUEST_HEADERS:X-Note "@rx evil" "id:1,phase:1,pass,log,t:lowercase"
            SecRule ARGS "@rx attack" "id:2,phase:1,pass,log,t:lowercase"
            SecRule REQUEST_HEADERS:X-Note "@rx evil" "id:3,phase:2,pass,log,t:lowercase"
            SecRule ARGS "@rx attack" "id:4,phase:2,pass,log,t:lowercase,setvar:'tx.seen=%{MATCHED_VAR_NAME}'"
            """)
        let request = RequestInput(
            method: "POST", target: "/?a=Attack",
            headers: [
                HeaderField("Host", "a"), HeaderField("X-Note", "EVIL"),
                HeaderField("Content-Type", "application/x-www-form-urlencoded"),
            ])
        let tx = engine.transaction(for: request)
        _ = tx.processRequestHeaders()
        let headers = Variable.requestHeaders.ordinal
        let args = Variable.args.ordinal
        let cachedHeaders = tx.transformIndex[headers]
        #expect(!cachedHeaders.isEmpty && !tx.transformIndex[args].isEmpty)
        tx.processBody(Array("b=ATTACK".utf8), truncated: false)
        #expect(tx.transformIndex[headers] == cachedHeaders)
        #expect(tx.transformIndex[args].isEmpty)
        tx.runPhase(2)
        #expect(TestSupport.ids(tx) == [1, 2, 3, 4])
        // Phase 2 saw the body's argument (its transformation was not a stale slot of the query's).
        #expect(tx.stores[.tx]?["seen"] == Array("ARGS:b".utf8))
    }

    @Test("request caches are released after phase 2; later phases still read request values through rules")
    func releasedCaches() throws {
        let engine = try TestSupport.engine(
            """
            SecRule ARGS "@rx attack" "id:1,phase:2,pass,log,t:lowercase"
            SecRule REQUEST_HEADERS:User-Agent "@rx probe" "id:3,phase:3,pass,log,t:lowercase"
            SecRule ARGS "@rx attack" "id:2,phase:5,pass,log,t:lowercase"
            """)
        let request = RequestInput(
            method: "GET", target: "/?q=ATTACK",
            headers: [HeaderField("Host", "a"), HeaderField("User-Agent", "Probe")])
        let tx = engine.transaction(for: request)
        _ = tx.processRequestHeaders()
        _ = tx.processRequestBody([])
        #expect(tx.transformIndex.isEmpty && tx.transformValues.isEmpty)
        #expect(tx.prefilterState == nil)
        _ = tx.processResponseHeaders(ResponseInput(status: 200, headers: [HeaderField("Content-Type", "text/plain")]))
        tx.runLoggingPhase()
        #expect(TestSupport.ids(tx) == [1, 3, 2])
    }

    @Test("the TX store keeps insertion order and finds every key case-insensitively after removals")
    func keyedStore() {
        let store = KeyedStore()
        for i in 0..<500 { store.set("Key_\(i)", Array("v\(i)".utf8)) }
        #expect(store.entries.count == 500)
        #expect(store["KEY_499"] == Array("v499".utf8))
        store.set("key_7", Array("again".utf8))
        #expect(store.entries.count == 500)
        #expect(store.entries[7].key == Array("Key_7".utf8))
        #expect(store.entries[7].value == Array("again".utf8))
        for i in stride(from: 0, to: 500, by: 3) { store.remove("key_\(i)") }
        #expect(store.entries.count == 500 - 167)
        for i in 0..<500 {
            let expected: [UInt8]? = i % 3 == 0 ? nil : (i == 7 ? Array("again".utf8) : Array("v\(i)".utf8))
            #expect(store[lowercased: Array("key_\(i)".utf8)] == expected)
        }
        #expect(store.entries.first?.key == Array("Key_1".utf8))
        store.set("key_0", [1])
        #expect(store.entries.last?.key == Array("key_0".utf8))
        #expect(store["KEY_0"] == [1])
        #expect(store["missing"] == nil)
        // A hash computed at load (setvar keys, macro references) reaches the same entries.
        let key = Array("key_8".utf8)
        #expect(store[lowercased: key, hash: KeyedStore.hash(key)] == Array("v8".utf8))
        store.set(bytes: Array("Key_8".utf8), lowercased: key, hash: KeyedStore.hash(key), Array("new".utf8))
        #expect(store["KEY_8"] == Array("new".utf8))
        #expect(store.entries.count == 500 - 167 + 1)
    }

    @Test("setvar with a constant key, `=+`, `=-` and macro references resolve through the load-time hashes")
    func setvarHashes() throws {
        let ruleSet = try RuleSetLoader.ruleSet(
            text: """
                SecAction "id:1,phase:1,pass,nolog,setvar:'tx.Score=5',setvar:'tx.other=%{tx.score}'"
                SecAction "id:2,phase:1,pass,nolog,setvar:'tx.score=+%{tx.other}',setvar:'tx.score=-3'"
                SecRule TX:SCORE "@eq 7" "id:3,phase:1,deny,status:403,setvar:'tx.hit=%{tx.0}%{tx.score}'"
                """, file: "hashes.conf")
        let transaction = Engine(ruleSet: ruleSet).transaction(
            for: RequestInput(method: "GET", target: "/", headers: []))
        #expect(transaction.processRequestHeaders() == .block(status: 403, ruleID: 3))
        #expect(transaction.stores[.tx]?["score"] == Array("7".utf8))
        #expect(transaction.stores[.tx]?["hit"] == Array("7".utf8))
    }

    @Test("runLoggingPhase runs phase 5 exactly as processLogging does, without building the audit record")
    func loggingPhase() throws {
        let engine = try TestSupport.engine(
            """
            SecRule ARGS "@rx attack" "id:1,phase:2,pass,log,setvar:tx.hits=+1"
            SecRule TX:hits "@ge 1" "id:2,phase:5,pass,log,msg:'logged %{tx.hits}'"
            """)
        func run(_ useRecord: Bool) -> Transaction {
            let tx = engine.transaction(for: RequestInput(method: "GET", target: "/?q=attack", headers: []))
            _ = tx.processRequestHeaders()
            _ = tx.processRequestBody([])
            if useRecord { tx.processLogging() } else { tx.runLoggingPhase() }
            return tx
        }
        let a = run(true)
        let b = run(false)
        #expect(TestSupport.ids(a) == [1, 2])
        #expect(TestSupport.ids(b) == TestSupport.ids(a))
        #expect(b.matchedRules.last?.message == "logged 1")
    }

    @Test("one-byte literals are found by the bytes present, in either case, next to longer ones")
    func oneByteLiterals() {
        let scanner = LiteralScanner(
            patterns: [(Array("<".utf8), 0), (Array("q".utf8), 1), (Array("ab".utf8), 65), (Array("b".utf8), 66)],
            words: 2)
        defer { scanner.deallocate() }
        func scan(_ text: String) -> [UInt64] {
            var out: [UInt64] = [0, 0]
            let bytes = Array(text.utf8)
            bytes.withUnsafeBufferPointer { input in
                out.withUnsafeMutableBufferPointer { scanner.scan(input, into: $0.baseAddress!) }
            }
            return out
        }
        #expect(scan("<") == [0b1, 0])
        #expect(scan("xQx") == [0b10, 0])
        #expect(scan("AB") == [0, 0b110])
        #expect(scan("b") == [0, 0b100])
        #expect(scan("nothing") == [0, 0])
        #expect(scan("") == [0, 0])
    }
}

@Suite("Prefilter state pool")
struct PrefilterStatePoolTests {
    static let rules = """
        SecRule ARGS "@rx (?i)union\\s+select" "id:1,phase:2,deny,t:urlDecodeUni,msg:'sqli'"
        SecRule REQUEST_HEADERS:User-Agent "@pm nikto sqlmap" "id:2,phase:1,deny,msg:'scanner'"
        SecRule ARGS_NAMES "@rx ^debug$" "id:3,phase:2,pass,log,msg:'debug flag'"
        SecRule RESPONSE_HEADERS "@rx internal-secret" "id:4,phase:3,deny,msg:'leak'"
        """

    @Test("a finished transaction's bit sets are reused, and what they held never decides the next request")
    func reuseDoesNotLeak() throws {
        let engine = try TestSupport.engine(Self.rules)
        let prefilter = engine.ruleSet.prefilter
        let attack = TestSupport.run(engine, uri: "/?q=1%20UNION%20SELECT%20x&debug=1")
        #expect(TestSupport.ids(attack) == [1])
        // The attack's state went back to the pool: the next transaction gets that very object.
        let pooled = prefilter.takeState()
        prefilter.recycle(pooled)
        let benign = TestSupport.run(engine, uri: "/?q=union&select=1")
        #expect(TestSupport.ids(benign).isEmpty)
        #expect(benign.verdict == .allow)
        let reused = prefilter.takeState()
        #expect(reused === pooled)
        prefilter.recycle(reused)
        // A set taken by a response phase returns to the pool when its transaction goes away.
        var response: Transaction? = TestSupport.run(engine, uri: "/ok")
        let leak = response?.processResponseHeaders(
            ResponseInput(status: 200, headers: [HeaderField("X-Debug", "internal-secret")]))
        #expect(leak == .block(status: 403, ruleID: 4))
        let held = try #require(response?.prefilterState)
        response = nil
        let returned = prefilter.takeState()
        #expect(returned === held)
        prefilter.recycle(returned)
        // Alternating attacks and benign requests gives each the verdict a fresh engine gives it.
        let uris = ["/?debug=1", "/?a=union%0Aselect", "/?a=b", "/?q=1%20UNION%20SELECT%20x", "/x"]
        for _ in 0..<3 {
            for uri in uris {
                let scanner = [("Host", "h"), ("User-Agent", uri.count % 2 == 0 ? "sqlmap/1.0" : "curl")]
                let reusedRun = TestSupport.run(engine, uri: uri, headers: scanner)
                let freshRun = TestSupport.run(try TestSupport.engine(Self.rules), uri: uri, headers: scanner)
                #expect(TestSupport.ids(reusedRun) == TestSupport.ids(freshRun), "\(uri)")
                #expect(reusedRun.verdict == freshRun.verdict, "\(uri)")
            }
        }
    }
}

@Suite("Prefilter memo of recent values")
struct PrefilterMemoTests {
    /// Stores `value` under `tag` with the contribution `words` ((offset, bits) pairs).
    static func store(_ memo: inout PrefilterMemo, _ value: [UInt8], tag: UInt64, hash: UInt64, words: [(Int, UInt64)])
    {
        memo.beginMiss()
        for (offset, bits) in words { memo.note(offset: offset, bits: bits) }
        value.withUnsafeBufferPointer { memo.store($0, hash: hash, tag: tag) }
    }

    /// What `apply` ORs into 8 zeroed words for `value`, or nil on a miss.
    static func apply(_ memo: PrefilterMemo, _ value: [UInt8], tag: UInt64, hash: UInt64) -> [UInt64]? {
        var bits = [UInt64](repeating: 0, count: 8)
        let hit = value.withUnsafeBufferPointer { raw in
            bits.withUnsafeMutableBufferPointer { memo.apply(raw, hash: hash, tag: tag, into: $0.baseAddress!) }
        }
        return hit ? bits : nil
    }

    @Test(
        "a stored value gives back its contribution; another tag, other bytes under the same hash or another length miss"
    )
    func roundTripAndMisses() {
        var memo = PrefilterMemo()
        defer { memo.deallocate() }
        let value = Array("Mozilla/5.0 (X11; Linux x86_64)".utf8)
        let hash = value.withUnsafeBufferPointer { PrefilterMemo.hash($0, tag: 7) }
        #expect(Self.apply(memo, value, tag: 7, hash: hash) == nil)
        Self.store(&memo, value, tag: 7, hash: hash, words: [(3, 0b1010), (5, 1 << 63)])
        #expect(Self.apply(memo, value, tag: 7, hash: hash) == [0, 0, 0, 0b1010, 0, 1 << 63, 0, 0])
        #expect(Self.apply(memo, value, tag: 8, hash: hash) == nil)
        // The same hash (as a collision would give) with other bytes of the same length: compared in full.
        var other = value
        other[other.count - 2] = UInt8(ascii: "5")
        #expect(Self.apply(memo, other, tag: 7, hash: hash) == nil)
        #expect(Self.apply(memo, Array(value.dropLast()), tag: 7, hash: hash) == nil)
        // A value that sets nothing is kept too: its hit ORs nothing.
        let empty = Array("plain".utf8)
        let emptyHash = empty.withUnsafeBufferPointer { PrefilterMemo.hash($0, tag: 7) }
        Self.store(&memo, empty, tag: 7, hash: emptyHash, words: [])
        #expect(Self.apply(memo, empty, tag: 7, hash: emptyHash) == [0, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test("the hash depends on the tag and on every byte, and is never 0")
    func hashes() {
        let value = Array("accept-language".utf8)
        let a = value.withUnsafeBufferPointer { PrefilterMemo.hash($0, tag: 1) }
        let b = value.withUnsafeBufferPointer { PrefilterMemo.hash($0, tag: 2) }
        #expect(a != b)
        var seen = Set<UInt64>()
        for i in value.indices {
            var changed = value
            changed[i] ^= 0x20
            seen.insert(changed.withUnsafeBufferPointer { PrefilterMemo.hash($0, tag: 1) })
        }
        #expect(seen.count == value.count && !seen.contains(a))
        #expect([UInt8]().withUnsafeBufferPointer { PrefilterMemo.hash($0, tag: 0) } != 0)
    }

    @Test("entries the ring has overwritten miss; too long or too many words are not kept")
    func bounds() {
        var memo = PrefilterMemo()
        defer { memo.deallocate() }
        let first = Array("first value".utf8)
        let firstHash = first.withUnsafeBufferPointer { PrefilterMemo.hash($0, tag: 1) }
        Self.store(&memo, first, tag: 1, hash: firstHash, words: [(0, 1)])
        #expect(Self.apply(memo, first, tag: 1, hash: firstHash) == [1, 0, 0, 0, 0, 0, 0, 0])
        // Fill more than the ring with other values (each under its own hash).
        let filler = [UInt8](repeating: UInt8(ascii: "x"), count: PrefilterMemo.maxBytes)
        let entryBytes = PrefilterMemo.maxBytes + 16
        for i in 0...(PrefilterMemo.arenaBytes / entryBytes + 1) {
            Self.store(&memo, filler, tag: 2, hash: UInt64(i) << 1 | 1, words: [(1, 1)])
        }
        if let stillThere = Self.apply(memo, first, tag: 1, hash: firstHash) {
            Issue.record("an overwritten entry was read back: \(stillThere)")
        }
        let long = [UInt8](repeating: 0x41, count: PrefilterMemo.maxBytes + 1)
        let longHash = long.withUnsafeBufferPointer { PrefilterMemo.hash($0, tag: 1) }
        Self.store(&memo, long, tag: 1, hash: longHash, words: [])
        #expect(Self.apply(memo, long, tag: 1, hash: longHash) == nil)
        let busy = Array("busy".utf8)
        let busyHash = busy.withUnsafeBufferPointer { PrefilterMemo.hash($0, tag: 1) }
        Self.store(&memo, busy, tag: 1, hash: busyHash, words: (0...PrefilterMemo.maxWords).map { ($0 % 8, 1) })
        #expect(Self.apply(memo, busy, tag: 1, hash: busyHash) == nil)
    }

    static let rules = """
        SecRule ARGS "@rx evil" "id:1,phase:2,deny,msg:'args'"
        SecRule REQUEST_HEADERS "@rx (?i)sqlmap" "id:2,phase:1,deny,msg:'headers'"
        SecRule REQUEST_HEADERS:X-Probe "@rx evil" "id:3,phase:1,pass,log,msg:'probe'"
        SecRule ARGS "@rx (?i)union\\s+select" "id:4,phase:2,deny,t:urlDecodeUni,t:lowercase,msg:'sqli'"
        """

    @Test("a value seen before, in the same or another variable, gets the verdict a fresh engine gives it")
    func repeatedValuesKeepVerdicts() throws {
        let engine = try TestSupport.engine(Self.rules)
        // The same bytes go through different groups (a header, a keyed header, an argument) in turn, benign in
        // one place and an attack in another; each request is run three times so later runs hit the memo.
        let cases: [(uri: String, headers: [(String, String)])] = [
            ("/?a=b", [("Host", "h"), ("X-Probe", "evil")]),
            ("/?q=evil", [("Host", "h"), ("X-Probe", "fine")]),
            ("/?q=fine", [("Host", "h"), ("User-Agent", "evil")]),
            ("/?q=1%20UNION%20SELECT%20x", [("Host", "h"), ("User-Agent", "1 UNION SELECT x")]),
            ("/?q=sqlmap", [("Host", "h"), ("User-Agent", "sqlmap/1.7")]),
            ("/?q=evil&r=1%20union%20select%201", [("Host", "h"), ("X-Probe", "evil")]),
        ]
        var first: [[Int]] = []
        for round in 0..<3 {
            for (index, item) in cases.enumerated() {
                let memoRun = TestSupport.run(engine, uri: item.uri, headers: item.headers)
                let fresh = TestSupport.run(try TestSupport.engine(Self.rules), uri: item.uri, headers: item.headers)
                #expect(TestSupport.ids(memoRun) == TestSupport.ids(fresh), "round \(round): \(item.uri)")
                #expect(memoRun.verdict == fresh.verdict, "round \(round): \(item.uri)")
                if round == 0 {
                    first.append(TestSupport.ids(fresh))
                } else {
                    #expect(TestSupport.ids(memoRun) == first[index])
                }
            }
        }
        // The cases do decide: a header-only probe, an argument, a user agent, SQL injection.
        #expect(first == [[3], [1], [], [4], [2], [3, 1]])
    }
}
