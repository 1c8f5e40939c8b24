/// One lexical token of the SQL injection detector.
struct SQLToken: Equatable {
    /// The token classes; the raw value is the letter used in fingerprints.
    enum Kind: UInt8 {
        case string = 0x73  // s: '...', "..."
        case number = 0x6E  // n: 12, 0x1f, 1.5e3
        case keyword = 0x6B  // k: from, where, table, into, ...
        case statement = 0x45  // E: select, insert, update, delete, drop, exec, ...
        case union = 0x55  // U: union, intersect, except (with all/distinct folded in)
        case logic = 0x26  // &: and, or, xor, &&, ||
        case op = 0x6F  // o: = < > != + - * / % | ^ like is in between regexp ...
        case function = 0x66  // f: a word directly followed by `(`
        case leftParen = 0x28  // (
        case rightParen = 0x29  // )
        case comma = 0x2C  // ,
        case semicolon = 0x3B  // ;
        case comment = 0x63  // c: /* */, --, #
        case variable = 0x76  // v: @x, @@version
        case bareword = 0x62  // b: identifiers and other words
        case other = 0x78  // x: anything else ({ } [ ] : ? $ ...)
    }

    var kind: Kind
    /// Lowercased text of words (keywords, functions, barewords, operators); empty for strings and numbers.
    var word: [UInt8]
    /// For strings: whether the closing quote was found. For the leading string of a quote context: whether
    /// the injected value closed the quote it started in.
    var closed: Bool = true
    /// For functions: whether `(` follows the name directly (`version(` rather than `version (`).
    var adjacentParen: Bool = false
    /// For `--` and `#` comments: whether the marker ends the value or is followed by whitespace or `+`, as in
    /// `admin'-- ` (text glued to the marker, like `"--verbose"`, is not a comment in MySQL).
    var openComment: Bool = false

    init(_ kind: Kind, word: [UInt8] = [], closed: Bool = true) {
        self.kind = kind
        self.word = word
        self.closed = closed
    }

    func isWord(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard word.count == count else { return false }
        return text.withUTF8Buffer { buffer in
            for index in 0..<count where buffer[index] != word[index] { return false }
            return true
        }
    }

    /// True for values an injected comparison can use as an operand.
    var isOperand: Bool {
        switch kind {
        case .string, .number, .variable, .function, .bareword: return true
        case .keyword: return isWord("null") || isWord("true") || isWord("false")
        default: return false
        }
    }

    /// True for literal operands (a comparison of two barewords is ordinary prose).
    var isLiteral: Bool {
        switch kind {
        case .string, .number, .variable, .function: return true
        case .keyword: return isWord("null") || isWord("true") || isWord("false")
        default: return false
        }
    }
}
