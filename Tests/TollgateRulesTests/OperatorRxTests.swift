import Testing

@testable import TollgateRules

@Suite struct OperatorRxTests {
    static let cases: [OperatorCase] = [
        .init("rx", "^abc$", "abc", .match),
        .init("rx", "abc", "xABCx", .noMatch),
        .init("rx", "(?i)abc", "xABCx", .match),
        .init("rx", "a.c", "a\nc", .match),  // dotall
        .init("rx", "^b", "a\nb", .noMatch),  // not multiline
        .init("rx", "c$", "abc\n", .noMatch),  // dollar end only
        .init("rx", "", "anything", .match),  // empty pattern matches everything
        .init("rx", "^$", "", .match),
        .init("rx", "x", "", .noMatch),
        .init("rx", "\\x00", bytes: [0x61, 0x00], .match),
        .init("rx", "\\xc0\\xaf", bytes: [0xC0, 0xAF], .match),
        .init("rx", "^%{tx.prefix}-\\d+$", "ab-12", .match, macros: ["tx.prefix": "ab"]),
        .init("rx", "^%{tx.prefix}-\\d+$", "ab-12", .noMatch, macros: ["tx.prefix": "zz"]),
        .init("rx", "^(?:%{tx.allowed})$", "GET", .match, macros: ["tx.allowed": "GET|POST"]),
    ]

    @Test(arguments: cases)
    func evaluates(_ item: OperatorCase) throws {
        let (result, _) = try evaluateOperator(item.name, item.argument, item.input, macros: item.macros)
        #expect(result == item.expected)
    }

    @Test func badPatternFailsTheLoadWithOffset() throws {
        let error = try #require(throws: OperatorLoadError.self) {
            _ = try OperatorFactory.make(name: "rx", argument: "a(b", baseDirectory: "/")
        }
        #expect(error.message.contains("offset 3"))
    }

    @Test func captureStoresGroupsZeroToNine() throws {
        let (result, captures) = try evaluateOperator(
            "rx", "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)", Array("xabcdefghijkx".utf8), capture: true)
        #expect(result == .match)
        #expect(captures.count == 10)
        #expect(captures[0] == Array("abcdefghijk".utf8))
        #expect(captures[1] == Array("a".utf8))
        #expect(captures[9] == Array("i".utf8))
    }

    @Test func captureOfUnsetGroupIsEmpty() throws {
        let (result, captures) = try evaluateOperator("rx", "(x)?(b)", Array("ab".utf8), capture: true)
        #expect(result == .match)
        #expect(captures == [Array("b".utf8), [], Array("b".utf8)])
    }

    @Test func noCaptureWithoutTheAction() throws {
        let (result, captures) = try evaluateOperator("rx", "(b)", Array("ab".utf8), capture: false)
        #expect(result == .match)
        #expect(captures.isEmpty)
    }

    @Test func macroPatternIsCachedAndStillCorrectAcrossValues() throws {
        let op = try OperatorFactory.make(name: "rx", argument: "^%{tx.v}$", baseDirectory: "/")
        for round in 0..<200 {
            let value = "v\(round % 70)"
            var context = OperatorContext(expandMacros: { Array(expandForTest($0, ["tx.v": value]).utf8) })
            #expect(op.evaluate(Array(value.utf8), context: &context) == .match)
            #expect(op.evaluate(Array("other".utf8), context: &context) == .noMatch)
            #expect(op.evaluate(Array((value + "x").utf8), context: &context) == .noMatch)
        }
    }

    @Test("^.*$ matches every value whole without PCRE2, as PCRE2 does, captures included")
    func wholeValue() throws {
        let shortcut = try OperatorFactory.make(name: "rx", argument: "^.*$", baseDirectory: "/")
        // The same pattern written so that the shortcut does not apply.
        let pcre = try OperatorFactory.make(name: "rx", argument: "^(?:.*)$", baseDirectory: "/")
        let inputs: [[UInt8]] = [
            [], Array("host".utf8), Array("a\nb".utf8), Array("line\n".utf8), [0, 0xFF, 0x0A, 0x0D], Array(" \t ".utf8),
        ]
        for input in inputs {
            var a = OperatorContext(captureRequested: true)
            var b = OperatorContext(captureRequested: true)
            #expect(shortcut.evaluate(input, context: &a) == .match)
            #expect(pcre.evaluate(input, context: &b) == .match)
            #expect(a.captures.first == input)
            #expect(a.captures.first == b.captures.first)
        }
        // Groups over part of the value are copies; a group over all of it is the value.
        let groups = try OperatorFactory.make(name: "rx", argument: "^(a)(.*)$", baseDirectory: "/")
        var context = OperatorContext(captureRequested: true)
        #expect(groups.evaluate(Array("abc".utf8), context: &context) == .match)
        #expect(context.captures == [Array("abc".utf8), Array("a".utf8), Array("bc".utf8)])
        #expect(groups.evaluate(Array("a".utf8), context: &context) == .match)
        #expect(context.captures == [Array("a".utf8), Array("a".utf8), []])
    }

    @Test func catastrophicBacktrackingIsAnError() throws {
        let op = try OperatorFactory.make(name: "rx", argument: "^(a+)+$", baseDirectory: "/")
        var context = OperatorContext()
        let input = [UInt8](repeating: UInt8(ascii: "a"), count: 64) + [UInt8(ascii: "!")]
        let result = op.evaluate(input, context: &context)
        guard case .error(let error) = result else {
            Issue.record("expected an error, got \(result)")
            return
        }
        #expect(error.code == .matchLimit)
    }

    @Test func macroPatternCacheIsSafeAcrossThreads() async throws {
        let op = try OperatorFactory.make(name: "rx", argument: "^%{tx.v}$", baseDirectory: "/")
        let mismatches = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var wrong = 0
                    for round in 0..<300 {
                        let text = "w\(worker)-\((round * 7) % 90)"
                        let value = Array(text.utf8)
                        // The engine expands the whole argument: `^%{tx.v}$` becomes `^w1-14$`.
                        var context = OperatorContext(expandMacros: { argument in
                            Array(expandForTest(argument, ["tx.v": text]).utf8)
                        })
                        if op.evaluate(value, context: &context) != .match { wrong += 1 }
                        if op.evaluate(value + [0x21], context: &context) != .noMatch { wrong += 1 }
                    }
                    return wrong
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }
}
