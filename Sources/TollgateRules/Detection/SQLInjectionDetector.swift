/// Tollgate's own SQL injection detector, written from the published idea behind such detectors: tokenize the
/// value as SQL in each context it could land in (bare, inside a `'` string, inside a `"` string), then
/// classify the token sequence against patterns that ordinary text does not produce.
///
/// Patterns (see `SQLPatterns`): a quote context that closes its string and continues with SQL (logic,
/// operator, comment, `;`, `)`, union, keyword or call); `union [all] select`; stacked statements; tautologies
/// (`1 OR 1=1`); calls of time-delay and extraction functions; `select` lists; DDL/DML statement shapes.
/// Inline comments are tried both as separators and removed (`UN/**/ION`).
enum SQLInjectionDetector {
    /// Values longer than this are only scanned in their first `maxScan` bytes.
    static let maxScan = 8 * 1024

    /// Returns the fingerprint (token-kind letters) of the first context that classifies as an injection, or
    /// nil for benign input.
    static func detect(_ input: [UInt8]) -> [UInt8]? {
        if input.isEmpty { return nil }
        // A single word of letters, digits, `_` and `.` (ids, names, tokens) cannot hold an injection.
        if input.allSatisfy({ ByteSearch.isAlpha($0) || ByteSearch.isDigit($0) || $0 == 0x5F || $0 == 0x2E }) {
            return nil
        }
        let value = input.count > maxScan ? Array(input[0..<maxScan]) : input
        if let found = classifyContexts(value) { return found }
        if ByteSearch.firstIndex(of: Array("/*".utf8), in: value) != nil {
            let joined = Comments.removeComments(value)
            if joined != value, let found = classifyContexts(joined) { return found }
        }
        return nil
    }

    private static func classifyContexts(_ value: [UInt8]) -> [UInt8]? {
        var quotes: [UInt8?] = [nil]
        if value.contains(UInt8(ascii: "'")) { quotes.append(UInt8(ascii: "'")) }
        if value.contains(UInt8(ascii: "\"")) { quotes.append(UInt8(ascii: "\"")) }
        for quote in quotes {
            let tokens = SQLTokenizer.tokenize(value, quote: quote)
            if SQLPatterns(tokens: tokens, quoted: quote != nil).isInjection {
                return fingerprint(tokens)
            }
        }
        return nil
    }

    static func fingerprint(_ tokens: [SQLToken]) -> [UInt8] {
        tokens.prefix(8).map(\.kind.rawValue)
    }
}
