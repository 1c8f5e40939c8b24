import Testing
import TollgateRegex

@Suite struct RegexCompileTests {
    @Test func compileErrorCarriesMessageAndOffset() throws {
        let error = try #require(throws: RegexCompileError.self) { try Regex("ab(c") }
        #expect(error.offset == 4)
        #expect(error.message.contains("missing"))
        #expect(error.pattern == "ab(c")
    }

    @Test(arguments: ["[z-a]", "(?<n>a)(?<n>b)", "a{2,1}", "\\"])
    func invalidPatternsThrow(_ pattern: String) {
        #expect(throws: RegexCompileError.self) { try Regex(pattern) }
    }

    @Test func jitAndInfoAreExposed() throws {
        let regex = try Regex("(a)(b)?c=\\d{3}")
        #expect(regex.isJITCompiled)
        #expect(regex.captureCount == 2)
        #expect(regex.minLength == 6)
        #expect(regex.requiredByte == UInt8(ascii: "="))
        #expect(!regex.couldMatch(length: 5))
        #expect(regex.couldMatch(length: 6))
    }

    @Test func letterPrefilterBytesAreNotTrusted() throws {
        // With caseless matching a reported first letter would be wrong for the other case.
        let regex = try Regex("(?i)select")
        #expect(regex.firstByte == nil)
        #expect(regex.matches(Array("SeLeCt".utf8)) == .match)
    }
}

@Suite struct RegexMatchTests {
    struct Case: Sendable, CustomStringConvertible {
        var pattern: String
        var options: RegexOptions = .modSecurityDefault
        var subject: [UInt8]
        var expected: RegexMatchOutcome
        var description: String { "\(pattern) ~ \(subject)" }
    }

    static let cases: [Case] = [
        Case(pattern: "abc", subject: Array("xxabcxx".utf8), expected: .match),
        Case(pattern: "abc", subject: Array("ABC".utf8), expected: .noMatch),
        Case(pattern: "abc", options: [.caseless], subject: Array("ABC".utf8), expected: .match),
        // dotAll is on by default: `.` crosses newlines.
        Case(pattern: "a.b", subject: Array("a\nb".utf8), expected: .match),
        Case(pattern: "a.b", options: [], subject: Array("a\nb".utf8), expected: .noMatch),
        // dollar-end-only (ModSecurity v2): `$` does not match before a final newline.
        Case(pattern: "abc$", subject: Array("abc\n".utf8), expected: .noMatch),
        Case(pattern: "abc$", options: [], subject: Array("abc\n".utf8), expected: .match),
        // Not multiline by default: `^` only at the start.
        Case(pattern: "^b", subject: Array("a\nb".utf8), expected: .noMatch),
        Case(pattern: "^b", options: [.multiline], subject: Array("a\nb".utf8), expected: .match),
        // Bytes, not UTF-8: invalid UTF-8 and NUL are fine.
        Case(pattern: "\\xff\\x00", subject: [0x41, 0xFF, 0x00], expected: .match),
        Case(pattern: "^$", subject: [], expected: .match),
        Case(pattern: "a", subject: [], expected: .noMatch),
        Case(pattern: "\\x{e9}", options: [.utf], subject: [0xC3, 0xA9], expected: .match),
        Case(pattern: "x", options: [.utf], subject: [0xFF, 0x78], expected: .match),
    ]

    @Test(arguments: cases)
    func matches(_ item: Case) throws {
        let regex = try Regex(item.pattern, options: item.options)
        #expect(regex.matches(item.subject) == item.expected)
    }

    @Test func capturesReportRanges() throws {
        let regex = try Regex("(\\d+)-(x)?(\\d+)")
        var groups: [Range<Int>?] = []
        let outcome = regex.firstMatch(in: Array("id=12-34".utf8), groups: &groups)
        #expect(outcome == .match)
        #expect(groups == [3..<8, 3..<5, nil, 6..<8])
    }

    @Test func capturesAreCappedAtMaxGroups() throws {
        let regex = try Regex("(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)")
        var groups: [Range<Int>?] = []
        #expect(regex.firstMatch(in: Array("abcdefghijkl".utf8), maxGroups: 10, groups: &groups) == .match)
        #expect(groups.count == 10)
        #expect(groups[9] == 8..<9)
    }

    @Test func noMatchLeavesGroupsEmpty() throws {
        let regex = try Regex("(z)")
        var groups: [Range<Int>?] = [0..<1]
        #expect(regex.firstMatch(in: Array("abc".utf8), groups: &groups) == .noMatch)
        #expect(groups.isEmpty)
    }

    @Test func matchLimitIsAnErrorNotANoMatch() throws {
        let regex = try Regex("(a+)+$", limits: RegexLimits(matchLimit: 1_000))
        let subject = [UInt8](repeating: UInt8(ascii: "a"), count: 40) + [UInt8(ascii: "b")]
        let before = Regex.limitErrorCount
        let outcome = regex.matches(subject)
        #expect(Regex.limitErrorCount > before)
        guard case .error(let error) = outcome else {
            Issue.record("expected an error, got \(outcome)")
            return
        }
        #expect(error.code == .matchLimit)
    }

    @Test func jitStackExhaustionFallsBackToTheInterpreter() throws {
        // A tiny JIT stack overflows on this nested group; the interpreter still decides the match.
        let regex = try Regex(
            "^(a(?:b|c)|d)*y",
            limits: RegexLimits(matchLimit: 10_000_000, depthLimit: 10_000_000, jitStackMaxBytes: 32 * 1024))
        var subject = [UInt8]()
        for _ in 0..<20_000 { subject.append(contentsOf: Array("abd".utf8)) }
        subject.append(UInt8(ascii: "y"))
        let before = Regex.jitStackFallbackCount
        #expect(regex.matches(subject) == .match)
        #expect(Regex.jitStackFallbackCount > before)
    }

    @Test func depthLimitInTheInterpreterIsReported() throws {
        let regex = try Regex(
            "^(a(?:b|c)|d)*y", limits: RegexLimits(matchLimit: 10_000_000, depthLimit: 10, jitStackMaxBytes: 32 * 1024))
        var subject = [UInt8]()
        for _ in 0..<20_000 { subject.append(contentsOf: Array("abd".utf8)) }
        subject.append(UInt8(ascii: "y"))
        let outcome = regex.matches(subject)
        guard case .error(let error) = outcome else {
            Issue.record("expected an error, got \(outcome)")
            return
        }
        #expect(error.code == .depthLimit || error.code == .heapLimit)
    }

    @Test func concurrentMatchingFromManyThreads() async throws {
        let regex = try Regex("(?i)union\\s+select")
        let results = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var hits = 0
                    for index in 0..<500 {
                        let subject = Array("1 UNION   select \(worker) \(index)".utf8)
                        if regex.matches(subject) == .match { hits += 1 }
                    }
                    return hits
                }
            }
            return await group.reduce(0, +)
        }
        #expect(results == 4_000)
    }
}
