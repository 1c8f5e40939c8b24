import PropertyBased
import Testing

@testable import TollgateRules

@Suite struct OperatorPropertyTests {
    static let operators: [(String, String)] = [
        ("rx", "(?i)(?:union\\s+select|<script)"), ("rx", "^%{tx.x}"), ("pm", "select union <script"),
        ("pmFromFile", "/work/shared/crs/rules/unix-shell.data"), ("streq", "abc"), ("eq", "5"), ("ge", "%{tx.x}"),
        ("gt", "0"), ("le", "1"), ("lt", "2"), ("within", "GET POST"), ("beginsWith", "/a"), ("endsWith", "%{tx.x}"),
        ("contains", "ab"), ("containsWord", "or"), ("strmatch", "x"), ("ipMatch", "10.0.0.0/8,::1"),
        ("validateByteRange", "32-126"), ("validateUrlEncoding", ""), ("validateUtf8Encoding", ""),
        ("unconditionalMatch", ""), ("noMatch", ""), ("detectSQLi", ""), ("detectXSS", ""),
    ]

    @Test func noOperatorTrapsOnRandomBytes() async throws {
        let built = try Self.operators.map { try OperatorFactory.make(name: $0.0, argument: $0.1, baseDirectory: "/") }
        await propertyCheck(count: 300, input: Gen.uint8().array(of: 0...80)) { bytes in
            for op in built {
                var context = OperatorContext(captureRequested: true, expandMacros: { _ in bytes })
                _ = op.evaluate(bytes, context: &context)
            }
        }
    }

    @Test func noOperatorTrapsOnEscapeHeavyBytes() async throws {
        let built = try Self.operators.map { try OperatorFactory.make(name: $0.0, argument: $0.1, baseDirectory: "/") }
        let pool = Array("'\"`;-#/*()<>=:.% \\&|0123456789abcdefxORunionselect:ffFF".utf8) + [0, 0xC0, 0xE0, 0xFF]
        await propertyCheck(count: 500, input: Gen.element(of: pool).map { $0 ?? 0 }.array(of: 0...80)) { bytes in
            for op in built {
                var context = OperatorContext(captureRequested: false, expandMacros: { _ in [] })
                _ = op.evaluate(bytes, context: &context)
            }
        }
    }

    @Test func pmMatchesWhateverContainsAPhrase() async {
        let op = PmOperator(phrases: [Array("needle".utf8)])
        await propertyCheck(input: Gen.uint8().array(of: 0...40), Gen.uint8().array(of: 0...40)) { left, right in
            var context = OperatorContext()
            #expect(op.evaluate(left + Array("NeEdLe".utf8) + right, context: &context) == .match)
        }
    }
}
