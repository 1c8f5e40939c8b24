import Foundation
import PropertyBased
import Testing
import TollgateRegex

@testable import TollgateRules

@Suite("Literal prefilter: required literals of a pattern")
struct RegexLiteralsTests {
    static let cases: [(pattern: String, expected: [String]?)] = [
        ("foo", ["foo"]),
        ("foo|bar", ["bar", "foo"]),
        ("(?i)union\\s+select", ["select"]),
        ("(?i)UNION", ["union"]),
        ("ab?c", ["abc", "ac"]),
        ("x{3}", ["xxx"]),
        ("\\x41\\x42", ["ab"]),
        ("[Aa]dmin", ["admin"]),
        ("ab(?=cd)", ["ab"]),
        ("(?<!x)abc", ["abc"]),
        ("\\Qa.b\\E", ["a.b"]),
        ("(a)\\1", ["a"]),
        ("(?<name>abc)", ["abc"]),
        ("(?#note)abc", ["abc"]),
        ("\\bselect\\b", ["select"]),
        ("(?:<script|javascript:)", ["<script", "javascript:"]),
        ("a\\.b", ["a.b"]),
        ("[\\n\\r]", ["\n", "\r"]),
        ("(?:abc)+", ["abc"]),
        ("^(?:GET|HEAD)$", ["get", "head"]),
        ("{2", ["{2"]),
        // No condition can be derived: every subject must go to PCRE2.
        ("^$", nil),
        (".*", nil),
        ("\\d+", ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]),
        ("[^a]", nil),
        ("a|", nil),
        ("(?:abc)*", nil),
        ("a?", nil),
        // Unsupported syntax gives up rather than guessing.
        ("(?x)a b c", nil),
        ("(*UTF)abc", nil),
        ("(abc", nil),
        ("abc)", nil),
        ("(?(1)a|b)", nil),
    ]

    @Test("required literals", arguments: cases)
    func literals(_ item: (pattern: String, expected: [String]?)) {
        let result = RegexLiterals.requiredLiterals(item.pattern)?.map { String(decoding: $0, as: UTF8.self) }
        #expect(result == item.expected, "pattern \(item.pattern)")
    }

    @Test("clauses: every part of a concatenation that needs a literal is its own clause, most selective first")
    func clauses() throws {
        let result = try #require(RegexLiterals.requiredClauses("[ ;/]on[a-z]{3,25}\\s*=[^=]"))
        // The class before `on` makes three exact strings.
        #expect(result.first == [" on", "/on", ";on"].map { Array($0.utf8) })
        #expect(result.count == 2)
        #expect(result.last == [Array("=".utf8)])
        #expect(RegexLiterals.requiredClauses("a\\.{2,3}/") == [[Array("a.../".utf8), Array("a../".utf8)]])
        #expect(RegexLiterals.requiredClauses(".*") == nil)
    }

    @Test("a literal run joins how the next part starts; x{2,} requires x twice; alternation keeps clauses")
    func joinsAndRepeats() throws {
        let joined = try #require(RegexLiterals.requiredClauses("(?i)%(?:c0|u[0-9a-f]{4})"))
        let expected = Set(["%c0"] + Array("0123456789abcdef").map { "%u\($0)" })
        #expect(Set(joined[0].map { String(decoding: $0, as: UTF8.self) }) == expected)
        #expect(RegexLiterals.requiredLiterals("/\\.{2,}/") == [Array("/..".utf8)])
        // Each branch has clauses; the alternation keeps an AND of unions, not only the weakest. `\\s` is the six
        // white-space bytes, so a word followed by `\\s+` requires the word and one of them.
        let branches = try #require(RegexLiterals.requiredClauses("(?:select\\s+[a-z]+\\s+from|union\\s+all)"))
        let whiteSpace = [" ", "\t", "\n", "\u{0B}", "\u{0C}", "\r"]
        #expect(branches.count == 3)
        #expect(
            Set(branches[0])
                == Set((whiteSpace.map { "select" + $0 } + whiteSpace.map { "union" + $0 }).map { Array($0.utf8) }))
        #expect(branches.contains([Array("all".utf8), Array("from".utf8)]))
        #expect(RegexLiterals.requiredLiterals("id=\\d") == (0...9).map { Array("id=\($0)".utf8) })
    }

    @Test("an alternation tries every choice of one clause per branch and keeps the most selective")
    func alternationChoices() throws {
        // Branch one needs `<` and `script`; branch two needs a quote and `=`. Pairing clauses by rank gives
        // `{script, =}` and `{<, ", '}`; trying every pair also finds `{<, =}`, which both branches hold.
        let pattern = "<[^a-z]*script|[\"'][a-z ]*="
        let clauses = try #require(RegexLiterals.requiredClauses(pattern))
        #expect(clauses.contains([Array("<".utf8), Array("=".utf8)]))
        #expect(clauses.count <= RegexLiterals.clauseLimit)
        // Necessary, never sufficient: every subject the pattern matches satisfies every clause.
        let regex = try Regex(bytes: Array(pattern.utf8), options: [.modSecurityDefault, .caseless])
        var matched = 0
        for subject in ["<  script", "a <script>", "' onload=", "\"x=", "<SCRIPT", "title=\"a b=\"", "plain text"] {
            let bytes = Array(subject.utf8)
            guard regex.matches(bytes) == .match else { continue }
            matched += 1
            #expect(Transaction.satisfies(clauses, bytes), "\(subject)")
        }
        #expect(matched == 6)
        // A rare byte outranks a common one of the same length; a longer literal outranks both.
        func score(_ literals: String...) -> Int { RegexLiterals.score(Set(literals.map { Array($0.utf8) })) }
        #expect(score("<") > score("a"))
        #expect(score("on") > score("a", "."))
        #expect(score("<script") > score("<"))
    }

    @Test("a class of up to 32 bytes before a literal makes exact strings")
    func widerClasses() throws {
        let literals = try #require(RegexLiterals.requiredLiterals("(?i)[\\t-\\r \"'\\(,/-9;=`]on[a-z]{3,50}"))
        #expect(literals.count == 24)
        #expect(literals.allSatisfy { $0.count == 3 && $0.suffix(2) == Array("on".utf8) })
    }

    @Test("a run too wide to join whole is joined with the first bytes of what follows")
    func cutJoin() throws {
        // 12 separators x 24 encodings of a dot, repeated: too many strings to keep exact (more than 256). Cut
        // short enough, the encodings' first bytes (`.`, `%2e`, `%c0`, `0x2`, ...) are few, so a separator followed
        // by one of them is required, where the separators alone were the clause.
        let separators = "(?:/|\\\\|%2f|%5c|%252f|%255c|%c0%af|%c1%9c|%u2215|%u2216|0x2f|0x5c)"
        let dots =
            "(?:\\.|%2e|%252e|%c0%2e|%c0%ae|%e0%80%ae|%u002e|%u2024|%uff0e|0x2e|\\.%00|\\.%01"
            + "|%%32%%65|%%32e|%2%45|%25c0%25ae|%c0%5e|%c0%6e|%c0%ee|%c0%fe|%f0%80%80%ae|%c0\\.|\\.\\?|\\.x)"
        let pattern = "(?i)" + separators + dots + "{2,3}" + separators
        let clauses = try #require(RegexLiterals.requiredClauses(pattern))
        let best = try #require(clauses.first)
        let separatorStrings = [
            "/", "\\", "%2f", "%5c", "%252f", "%255c", "%c0%af", "%c1%9c", "%u2215", "%u2216", "0x2f", "0x5c",
        ]
        #expect(best.count <= RegexLiterals.exactLimit)
        #expect(best.contains(Array("/.".utf8)) && best.contains(Array("0x5c.".utf8)))
        for literal in best {
            // A separator followed by at least one byte (the start of a dot's encoding).
            #expect(separatorStrings.contains { literal.count > $0.utf8.count && literal.starts(with: $0.utf8) })
        }
        #expect(!best.contains(Array("/".utf8)))
        // Necessary, never sufficient: every subject the pattern matches satisfies every clause.
        let regex = try Regex(bytes: Array(pattern.utf8), options: [.modSecurityDefault, .caseless])
        var matched = 0
        for subject in ["/../", "a\\..\\b", "%2F%2e%2E%5C", "0x2f0x2e0x2e/", "/.%00.%01/", "%c0%af.x%c0%ae/", "/a/b.c"]
        {
            let bytes = Array(subject.utf8)
            guard regex.matches(bytes) == .match else { continue }
            matched += 1
            #expect(Transaction.satisfies(clauses, bytes), "\(subject)")
        }
        #expect(matched == 6)
        // `/a/b.c` has both a separator and a dot, but no separator followed by a dot's first byte.
        #expect(!Transaction.satisfies(clauses, Array("/a/b.c".utf8)))
    }

    @Test("literals are cut to the cap, never empty")
    func capped() throws {
        let long = String(repeating: "abcdefgh", count: 10)
        let result = try #require(RegexLiterals.requiredLiterals(long))
        #expect(result.count == 1)
        #expect(result[0].count == RegexLiterals.literalCap)
        #expect(long.utf8.starts(with: result[0]))
    }
}

@Suite("Literal prefilter: scanner")
struct LiteralScannerTests {
    @Test("reports the bits of every literal present, case-insensitively, overlapping ones included")
    func bits() {
        let scanner = LiteralScanner(
            patterns: [
                (Array("select".utf8), 0), (Array("lec".utf8), 1), (Array("union".utf8), 70), (Array("x".utf8), 2),
            ],
            words: 2)
        func scan(_ text: String) -> [UInt64] {
            var out: [UInt64] = [0, 0]
            let bytes = Array(text.utf8)
            bytes.withUnsafeBufferPointer { input in
                out.withUnsafeMutableBufferPointer { scanner.scan(input, into: $0.baseAddress!) }
            }
            return out
        }
        #expect(scan("SeLeCt 1") == [0b11, 0])
        #expect(scan("a union b") == [0, 1 << 6])
        #expect(scan("nothing here") == [0, 0])
        #expect(scan("") == [0, 0])
        #expect(scan("xunion") == [0b100, 1 << 6])
    }

    @Test("finds exactly the literals a naive search finds: random literal sets and inputs, shared prefixes")
    func differential() {
        // A small alphabet (both cases, markup bytes, a non-ASCII byte) so literals overlap, share two-, three-
        // and four-byte prefixes and occur often.
        let alphabet = Array("abcAB<=; \u{7F}".utf8) + [0x80, 0xC3]
        var state: UInt64 = 0x5EED_1234
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        func lowered(_ bytes: [UInt8]) -> [UInt8] { bytes.map(ByteSearch.lower) }
        func contains(_ text: [UInt8], _ literal: [UInt8]) -> Bool {
            guard literal.count <= text.count else { return false }
            for start in 0...(text.count - literal.count) where Array(text[start..<start + literal.count]) == literal {
                return true
            }
            return false
        }
        var found = 0
        for _ in 0..<150 {
            var patterns: [(literal: [UInt8], bit: Int)] = []
            for _ in 0..<(1 + next(40)) {
                let literal = (0..<(1 + next(9))).map { _ in alphabet[next(alphabet.count)] }
                patterns.append((literal, next(130)))
            }
            let words = 3
            let scanner = LiteralScanner(patterns: patterns, words: words)
            defer { scanner.deallocate() }
            for _ in 0..<40 {
                let text = (0..<next(48)).map { _ in alphabet[next(alphabet.count)] }
                var expected = [UInt64](repeating: 0, count: words)
                for (literal, bit) in patterns where contains(lowered(text), lowered(literal)) {
                    expected[bit >> 6] |= 1 << UInt64(bit & 63)
                }
                var out = [UInt64](repeating: 0, count: words)
                text.withUnsafeBufferPointer { input in
                    out.withUnsafeMutableBufferPointer { scanner.scan(input, into: $0.baseAddress!) }
                }
                #expect(out == expected, "text \(text) patterns \(patterns)")
                if expected != [0, 0, 0] { found += 1 }
            }
        }
        // The inputs do hit literals (the comparison is not between empty sets).
        #expect(found > 1000)
    }
}

@Suite("Literal prefilter: engine semantics")
struct PrefilterEngineTests {
    @Test("a multiMatch rule still matches when only an intermediate stage contains the pattern")
    func multiMatchStages() throws {
        // urlDecode turns %3Cscript into <script; base64Decode then turns it into bytes without it, so only the
        // middle stage matches.
        let engine = try TestSupport.engine(
            """
            SecRule ARGS "@rx <script" "id:1,phase:2,deny,t:none,t:urlDecode,t:base64Decode,multiMatch"
            """)
        #expect(engine.ruleSet.prefilter.bitCount == 1)
        let tx = TestSupport.run(engine, uri: "/?q=%253Cscript")
        #expect(tx.verdict == .block(status: 403, ruleID: 1))
        let benign = TestSupport.run(engine, uri: "/?q=hello")
        #expect(benign.verdict == .allow)
    }

    @Test("phase 2 reuses phase 1's scans of headers and computes arguments again with the body's")
    func phaseTwoReuse() throws {
        let engine = try TestSupport.engine(
            """
            SecRequestBodyAccess On
            SecRule REQUEST_HEADERS "@rx evil" "id:1,phase:1,pass,log"
            SecRule ARGS "@rx attack" "id:2,phase:1,pass,log"
            SecRule REQUEST_HEADERS "@rx evil" "id:3,phase:2,pass,log"
            SecRule ARGS "@rx attack" "id:4,phase:2,pass,log"
            SecRule ARGS_NAMES "@rx attack" "id:5,phase:2,pass,log"
            """)
        #expect(engine.ruleSet.prefilter.bitCount == 5)
        let headers = [
            ("Host", "localhost"), ("X-Note", "evil"), ("Content-Type", "application/x-www-form-urlencoded"),
        ]
        let tx = TestSupport.run(engine, method: "POST", uri: "/?q=fine", headers: headers, body: "attack_name=attack")
        #expect(TestSupport.ids(tx) == [1, 3, 4, 5])
        // The other way round: the argument seen in phase 1 is still seen in phase 2, the header never.
        let other = TestSupport.run(
            engine, method: "POST", uri: "/?q=attack", headers: [("Host", "localhost")] + headers.suffix(1),
            body: "a=b")
        #expect(TestSupport.ids(other) == [2, 4])
    }

    @Test("a keyed target is scanned on its own: a literal in another header does not admit the rule")
    func keyedTarget() throws {
        let engine = try TestSupport.engine(
            """
            SecRule REQUEST_HEADERS:User-Agent "@rx evilbot" "id:2,phase:1,deny"
            """)
        let tx = TestSupport.run(engine, headers: [("Host", "localhost"), ("User-Agent", "evilbot/1.0")])
        #expect(tx.verdict == .block(status: 403, ruleID: 2))
        let other = TestSupport.run(
            engine, headers: [("Host", "localhost"), ("X-Note", "evilbot"), ("User-Agent", "ok")])
        #expect(other.verdict == .allow)
        #expect(other.matchedRules.isEmpty)
    }

    @Test("a rule tagged with a higher paranoia level still matches when it runs (its chain is computed later)")
    func higherLevelPairs() throws {
        let engine = try TestSupport.engine(
            """
            SecRule ARGS "@rx needle" "id:10,phase:2,pass,log,t:none"
            SecRule ARGS "@rx hay\\x20stack" "id:11,phase:2,pass,log,t:none,t:urlDecodeUni,t:compressWhitespace,tag:'paranoia-level/2'"
            SecRule ARGS "@rx needle" "id:12,phase:2,pass,log,t:none,t:urlDecodeUni,t:removeWhitespace,tag:'paranoia-level/3'"
            """)
        let groups = engine.ruleSet.prefilter.groups
        #expect(groups.contains { !$0.laterPairs.isEmpty })
        #expect(TestSupport.ids(TestSupport.run(engine, uri: "/?a=hay%20%20stack")) == [11])
        #expect(TestSupport.ids(TestSupport.run(engine, uri: "/?a=nee%20dle&b=needle")) == [10, 12])
        #expect(TestSupport.ids(TestSupport.run(engine, uri: "/?a=nothing")).isEmpty)
    }

    @Test("chains that reach the same bytes share one scan, and a step that changes nothing adds no stage")
    func sharedStages() throws {
        let engine = try TestSupport.engine(
            """
            SecRule ARGS "@rx xy\\.z" "id:20,phase:2,pass,log,t:none,t:removeWhitespace"
            SecRule ARGS "@rx xy\\.z" "id:21,phase:2,pass,log,t:none,t:compressWhitespace,t:removeWhitespace"
            SecRule ARGS "@rx xy\\.z" "id:22,phase:2,pass,log,t:none,t:normalizePath,t:removeWhitespace"
            SecRule ARGS "@rx x y\\.z" "id:23,phase:2,pass,log,t:none,t:normalizePath"
            """)
        #expect(TestSupport.ids(TestSupport.run(engine, uri: "/?a=x%20%20y.z")) == [20, 21, 22])
        #expect(TestSupport.ids(TestSupport.run(engine, uri: "/?a=x%20y.z")) == [20, 21, 22, 23])
        #expect(TestSupport.ids(TestSupport.run(engine, uri: "/?a=x%20y/../.z")).isEmpty)
        #expect(TestSupport.ids(TestSupport.run(engine, uri: "/?a=xyz")).isEmpty)
    }

    @Test("a rule over TX or a negated operator is never skipped by the prefilter")
    func ineligible() throws {
        let engine = try TestSupport.engine(
            """
            SecAction "id:4,phase:1,pass,nolog,setvar:tx.note=abcdef"
            SecRule TX:note "@rx cde" "id:5,phase:2,pass,log"
            SecRule ARGS "!@rx ^[a-z]+$" "id:3,phase:2,deny"
            """)
        #expect(engine.ruleSet.prefilter.bitCount == 0)
        let tx = TestSupport.run(engine, uri: "/?a=ABC")
        #expect(TestSupport.ids(tx).contains(5))
        #expect(tx.verdict == .block(status: 403, ruleID: 3))
    }
}

/// Subjects for the soundness checks: the request lines and bodies of the CRS regression suite (attacks and
/// benign requests), URL-decoded, plus random bytes.
enum PrefilterCorpus {
    static func subjects() -> [[UInt8]] {
        var out: [[UInt8]] = []
        if let dir = TestSupport.crsDirectory {
            let root = dir + "/tests/regression/tests"
            let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
            for file in files where file.hasSuffix(".yaml") {
                guard let text = try? String(contentsOfFile: root + "/" + file, encoding: .utf8) else { continue }
                for line in text.split(separator: "\n") {
                    let trimmed = line.trimmingCharacters(in: .whitespaces)
                    for prefix in ["uri:", "data:"] where trimmed.hasPrefix(prefix) {
                        var value = String(trimmed.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
                        if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                            value = String(value.dropFirst().dropLast())
                        }
                        out.append(Array(value.utf8))
                        out.append(Array((value.removingPercentEncoding ?? value).utf8))
                    }
                }
            }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let count = Int.random(in: 0..<64, using: &generator)
            out.append((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
        return out
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        let lowered = haystack.map(ByteSearch.lower)
        return ByteSearch.firstIndex(of: needle, in: lowered) != nil
    }
}

@Suite(
    "Literal prefilter: soundness on CRS",
    .enabled(if: TestSupport.crsDirectory != nil, "CRS checkout ../shared/crs not present"))
struct PrefilterSoundnessTests {
    static func crsRuleSet(prefilter: Bool) throws -> RuleSet {
        let dir = try #require(TestSupport.crsDirectory)
        var loader = RuleSetLoader()
        loader.literalPrefilter = prefilter
        try loader.load(text: "SecRuleEngine On\nSecRequestBodyAccess On\n")
        try loader.load(file: dir + "/crs-setup.conf.example")
        try loader.load(files: [dir + "/rules/*.conf"])
        return try loader.build()
    }

    @Test("whenever a CRS pattern matches a subject, one of its required literals occurs in it")
    func patternsNeverRejectAMatch() throws {
        let ruleSet = try Self.crsRuleSet(prefilter: true)
        var patterns: [(String, Regex, [[UInt8]])] = []
        for phase in ruleSet.phases {
            for case .rule(let rule) in phase {
                for link in [rule] + rule.chained {
                    guard let rx = link.op?.implementation as? RxOperator,
                        let literals = RegexLiterals.requiredLiterals(rx.pattern)
                    else { continue }
                    patterns.append((rx.pattern, rx.regex, literals))
                }
            }
        }
        #expect(patterns.count > 200, "CRS should yield literals for most of its patterns")
        let subjects = PrefilterCorpus.subjects()
        #expect(subjects.count > 1000)
        var matches = 0
        var violations: [String] = []
        for (pattern, regex, literals) in patterns {
            for subject in subjects where regex.matches(subject) == .match {
                matches += 1
                if !literals.contains(where: { PrefilterCorpus.contains(subject, $0) }) {
                    violations.append(
                        "\(pattern.prefix(60)) matched \(String(decoding: subject.prefix(60), as: UTF8.self))")
                }
            }
        }
        #expect(matches > 1000, "the corpus must exercise the patterns")
        #expect(violations.isEmpty, "\(violations.prefix(5))")
    }

    @Test("@detectXSS, @detectSQLi and @validateByteRange never match a subject without a byte of their clause")
    func byteClausesNeverRejectAMatch() throws {
        let operators: [(String, any RuleOperator)] = [
            ("detectXSS", DetectXSSOperator()), ("detectSQLi", DetectSQLiOperator()),
            ("validateByteRange 1-255", try ValidateByteRangeOperator(argument: "1-255")),
            ("validateByteRange 32-126", try ValidateByteRangeOperator(argument: "9,10,13,32-126")),
            (
                "validateByteRange 38,44-46,48-58,61,65-90,95,97-122",
                try ValidateByteRangeOperator(
                    argument: "38,44-46,48-58,61,65-90,95,97-122")
            ),
        ]
        var subjects = PrefilterCorpus.subjects()
        // Transformed forms too (what the rules see after t:lowercase, t:urlDecodeUni, t:htmlEntityDecode, ...).
        subjects += subjects.prefix(2000).map { Transformation.urlDecodeUni.apply(Transformation.lowercase.apply($0)) }
        subjects += subjects.prefix(2000).map { Transformation.htmlEntityDecode.apply($0) }
        subjects += [[0], Array("abc.DEF_09".utf8), Array("a b".utf8), Array("x=1".utf8), Array("<".utf8), [0xFF]]
        for (name, op) in operators {
            let clause = try #require(RulePrefilter.Builder.byteClause(op), "\(name) has no clause")
            let bytes = Set(clause.map { $0[0] })
            var matches = 0
            var violations: [String] = []
            for subject in subjects {
                var context = OperatorContext()
                guard op.evaluate(subject, context: &context) == .match else { continue }
                matches += 1
                if !subject.contains(where: { bytes.contains($0) || bytes.contains(ByteSearch.lower($0)) }) {
                    violations.append(String(decoding: subject.prefix(60), as: UTF8.self))
                }
            }
            #expect(matches > 10, "\(name): the corpus must exercise the operator")
            #expect(violations.isEmpty, "\(name): \(violations.prefix(5))")
        }
    }

    @Test("CRS verdicts and matched rules are the same with and without the prefilter")
    func sameVerdicts() throws {
        let on = Engine(ruleSet: try Self.crsRuleSet(prefilter: true), mode: .block)
        let off = Engine(ruleSet: try Self.crsRuleSet(prefilter: false), mode: .block)
        #expect(on.ruleSet.prefilter.bitCount > 100)
        #expect(off.ruleSet.prefilter.bitCount == 0)
        let headers = [("Host", "localhost"), ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64)"), ("Accept", "*/*")]
        var uris: [String] = []
        for subject in PrefilterCorpus.subjects().prefix(3000) {
            guard let text = String(bytes: subject, encoding: .utf8), text.hasPrefix("/"), !text.contains(" ") else {
                continue
            }
            uris.append(text)
        }
        uris += [
            "/products?page=2&sort=price", "/search?q=union%20select%201", "/?x=%3Cscript%3Ealert(1)%3C/script%3E",
        ]
        #expect(uris.count > 500)
        var compared = 0
        var blocked = 0
        for uri in uris {
            let a = TestSupport.run(on, uri: uri, headers: headers)
            let b = TestSupport.run(off, uri: uri, headers: headers)
            #expect(TestSupport.ids(a) == TestSupport.ids(b), "\(uri)")
            #expect(a.verdict == b.verdict, "\(uri)")
            compared += 1
            if a.verdict != .allow { blocked += 1 }
        }
        // Bodies: form and JSON, so ARGS_POST, REQUEST_BODY and the JSON processor go through the prefilter.
        let form = [("Host", "localhost"), ("Content-Type", "application/x-www-form-urlencoded")]
        let json = [("Host", "localhost"), ("Content-Type", "application/json")]
        var bodies = 0
        for uri in uris.prefix(400) {
            guard let query = uri.split(separator: "?", maxSplits: 1).dropFirst().first else { continue }
            let value = String(query).removingPercentEncoding ?? String(query)
            let jsonBody =
                "{\"q\": \(String(decoding: try JSONEncoder().encode(value), as: UTF8.self)), \"n\": [1, {\"k\": \"v\"}]}"
            for (h, body) in [(form, String(query)), (json, jsonBody)] {
                let a = TestSupport.run(on, method: "POST", uri: "/submit", headers: h, body: body)
                let b = TestSupport.run(off, method: "POST", uri: "/submit", headers: h, body: body)
                #expect(TestSupport.ids(a) == TestSupport.ids(b), "POST \(body)")
                #expect(a.verdict == b.verdict, "POST \(body)")
                bodies += 1
            }
        }
        #expect(blocked > 50, "the URIs must include attacks")
        #expect(compared == uris.count)
        #expect(bodies > 100)
    }
}

@Suite("Literal prefilter: byte sets")
struct ByteSetTests {
    static func reference(_ bytes: [UInt8]) -> [UInt64] {
        var words: [UInt64] = [0, 0, 0, 0]
        for byte in bytes { words[Int(byte >> 6)] |= UInt64(1) << UInt64(byte & 63) }
        return words
    }

    static func words(_ set: ByteSet) -> [UInt64] { [set.words.0, set.words.1, set.words.2, set.words.3] }

    @Test("the set of a value holds exactly its bytes: odd and even lengths, every quarter of the byte range")
    func table() {
        let cases: [[UInt8]] = [
            [], [0], [63], [64], [127], [128], [191], [192], [255], [0, 255], [255, 0], [65, 200, 3],
            Array(0...255), Array((0...255).reversed()), Array("Mozilla/5.0 (X11; Linux x86_64)".utf8),
        ]
        for bytes in cases {
            let set = bytes.withUnsafeBufferPointer { ByteSet($0) }
            #expect(Self.words(set) == Self.reference(bytes), "\(bytes.prefix(8))")
            #expect(Self.words(set) == Self.words(ByteSet(bytes: bytes)))
        }
    }

    @Test("the set of random bytes agrees with inserting them one by one")
    func differential() async {
        let everyByte = Array(UInt8.min...UInt8.max)
        let values = Gen.element(of: everyByte).map { $0 ?? 0 }.array(of: 0...70)
        await propertyCheck(count: 1_000, input: values) { bytes in
            let set = bytes.withUnsafeBufferPointer { ByteSet($0) }
            #expect(Self.words(set) == Self.reference(bytes))
        }
    }
}
