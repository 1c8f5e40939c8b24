/// Splits bytes into `SQLToken`s the way a permissive SQL lexer (MySQL, PostgreSQL, MSSQL, Oracle, SQLite
/// flavours together) would.
///
/// `quote` selects the context: when the injected value lands inside a quoted SQL string, everything up to
/// the first unescaped matching quote is that string's tail, and SQL starts after it.
struct SQLTokenizer {
    /// At most this many tokens are produced; the classifier looks at the start of the value.
    static let maxTokens = 64

    let input: [UInt8]
    var index = 0

    init(_ input: [UInt8]) { self.input = input }

    static func tokenize(_ input: [UInt8], quote: UInt8?) -> [SQLToken] {
        var lexer = SQLTokenizer(input)
        var tokens: [SQLToken] = []
        tokens.reserveCapacity(min(maxTokens, input.count / 2 + 2))
        if let quote {
            let closed = lexer.skipString(quote: quote)
            tokens.append(SQLToken(.string, closed: closed))
        }
        while tokens.count < maxTokens, let token = lexer.next() {
            tokens.append(token)
        }
        return tokens
    }

    @inline(__always)
    private func peek(_ offset: Int = 0) -> UInt8? {
        let position = index + offset
        return position < input.count ? input[position] : nil
    }

    @inline(__always)
    static func isWordByte(_ byte: UInt8) -> Bool {
        ByteSearch.isAlpha(byte) || ByteSearch.isDigit(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$")
            || byte == UInt8(ascii: ".") || byte >= 0x80
    }

    /// Consumes a quoted string body (the opening quote already consumed) up to its closing quote. A doubled
    /// quote or a backslash escapes. Returns whether the closing quote was found.
    private mutating func skipString(quote: UInt8) -> Bool {
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if byte == quote {
                if peek(1) == quote {
                    index += 2
                    continue
                }
                index += 1
                return true
            }
            index += 1
        }
        index = input.count
        return false
    }

    mutating func next() -> SQLToken? {
        while index < input.count {
            let byte = input[index]
            if ByteSearch.isSpace(byte) || byte == 0xA0 || byte == 0 {
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                index += 1
                let closed = skipString(quote: byte)
                return SQLToken(.string, closed: closed)
            case UInt8(ascii: "`"):
                index += 1
                _ = skipString(quote: byte)
                return SQLToken(.bareword, word: [UInt8(ascii: "`")])
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "*"):
                if peek(2) == UInt8(ascii: "!") {
                    // MySQL executable comment: its body is code.
                    index += 3
                    while let digit = peek(), ByteSearch.isDigit(digit) { index += 1 }
                    continue
                }
                index += 2
                while index < input.count && !(input[index] == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/")) {
                    index += 1
                }
                index = min(index + 2, input.count)
                return SQLToken(.comment, word: [UInt8(ascii: "/")])
            case UInt8(ascii: "*") where peek(1) == UInt8(ascii: "/"):
                index += 2  // the end of an executable comment
                continue
            case UInt8(ascii: "-") where peek(1) == UInt8(ascii: "-"), UInt8(ascii: "#"):
                let markerEnd = index + (byte == UInt8(ascii: "#") ? 1 : 2)
                var token = SQLToken(.comment, word: [byte])
                if markerEnd >= input.count {
                    token.openComment = true
                } else {
                    let after = input[markerEnd]
                    if byte == UInt8(ascii: "#") {
                        // `admin'#`: only blanks, `+` or `-` may follow (a `# Heading` is text).
                        var cursor = markerEnd
                        while cursor < input.count && input[cursor] != 0x0A
                            && (input[cursor] <= 0x20 || input[cursor] == UInt8(ascii: "+")
                                || input[cursor] == UInt8(ascii: "-"))
                        {
                            cursor += 1
                        }
                        token.openComment = cursor == input.count || input[cursor] == 0x0A
                    } else {
                        token.openComment = after <= 0x20 || after == UInt8(ascii: "+") || after == 0x7F
                    }
                }
                while index < input.count && input[index] != 0x0A { index += 1 }
                return token
            case UInt8(ascii: "("):
                index += 1
                return SQLToken(.leftParen)
            case UInt8(ascii: ")"):
                index += 1
                return SQLToken(.rightParen)
            case UInt8(ascii: ","):
                index += 1
                return SQLToken(.comma)
            case UInt8(ascii: ";"):
                index += 1
                return SQLToken(.semicolon)
            case UInt8(ascii: "@"):
                let start = index
                index += 1
                if peek() == UInt8(ascii: "@") { index += 1 }
                let nameStart = index
                while let next = peek(), Self.isWordByte(next) { index += 1 }
                if index == nameStart { return SQLToken(.other, word: Array(input[start..<index])) }
                return SQLToken(.variable, word: input[start..<index].map(ByteSearch.lower))
            case UInt8(ascii: "&") where peek(1) == UInt8(ascii: "&"),
                UInt8(ascii: "|") where peek(1) == UInt8(ascii: "|"):
                index += 2
                return SQLToken(.logic, word: [byte, byte])
            case UInt8(ascii: "="), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "!"), UInt8(ascii: "+"),
                UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "%"), UInt8(ascii: "^"),
                UInt8(ascii: "&"), UInt8(ascii: "|"), UInt8(ascii: "~"):
                let start = index
                index += 1
                while let next = peek(), index - start < 3,
                    next == UInt8(ascii: "=") || next == UInt8(ascii: ">")
                        || (next == UInt8(ascii: "<") && byte == UInt8(ascii: "<"))
                {
                    index += 1
                }
                return SQLToken(.op, word: Array(input[start..<index]))
            case UInt8(ascii: ":") where peek(1) == UInt8(ascii: "="):
                index += 2
                return SQLToken(.op, word: Array(":=".utf8))
            default:
                break
            }
            if ByteSearch.isDigit(byte) || (byte == UInt8(ascii: ".") && peek(1).map(ByteSearch.isDigit) == true) {
                return number()
            }
            if Self.isWordByte(byte) {
                return word()
            }
            index += 1
            return SQLToken(.other, word: [byte])
        }
        return nil
    }

    private mutating func number() -> SQLToken {
        let start = index
        if input[index] == UInt8(ascii: "0"), let x = peek(1),
            x | 0x20 == UInt8(ascii: "x") || x | 0x20 == UInt8(ascii: "b")
        {
            index += 2
            while let next = peek(), ByteSearch.hexValue(next) != nil { index += 1 }
        } else {
            while let next = peek(), ByteSearch.isDigit(next) { index += 1 }
            if peek() == UInt8(ascii: "."), peek(1).map(ByteSearch.isDigit) != false {
                index += 1
                while let next = peek(), ByteSearch.isDigit(next) { index += 1 }
            }
            if let e = peek(), e | 0x20 == UInt8(ascii: "e") {
                let sign = peek(1)
                let digitAt = sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") ? 2 : 1
                if let digit = peek(digitAt), ByteSearch.isDigit(digit) {
                    index += digitAt
                    while let next = peek(), ByteSearch.isDigit(next) { index += 1 }
                }
            }
        }
        // 1st, 10px, 20.to_i: a word that starts with digits.
        if let next = peek(),
            Self.isWordByte(next) && next != UInt8(ascii: ".")
                || (next == UInt8(ascii: ".") && peek(1).map(ByteSearch.isAlpha) == true)
        {
            index = start
            return word()
        }
        return SQLToken(.number)
    }

    private mutating func word() -> SQLToken {
        let start = index
        while let next = peek(), Self.isWordByte(next) { index += 1 }
        // A trailing dot belongs to the sentence, not the word.
        var end = index
        while end > start + 1 && input[end - 1] == UInt8(ascii: ".") { end -= 1 }
        index = end
        let text = input.withUnsafeBufferPointer {
            ByteSearch.lowercasedCopy(UnsafeBufferPointer(rebasing: $0[start..<end]))
        }
        // Is the next significant byte an opening parenthesis (a call)?
        var lookahead = index
        while lookahead < input.count && (ByteSearch.isSpace(input[lookahead]) || input[lookahead] == 0xA0) {
            lookahead += 1
        }
        let isCall = lookahead < input.count && input[lookahead] == UInt8(ascii: "(")
        let kind = SQLLexicon.kind(of: text)
        switch kind {
        case .union?:
            // Fold `union all` / `union distinct` into one token.
            var probe = SQLTokenizer(input)
            probe.index = index
            if let following = probe.next(), following.isWord("all") || following.isWord("distinct") {
                index = probe.index
                return SQLToken(.union, word: text + [UInt8(ascii: " ")] + following.word)
            }
            return SQLToken(.union, word: text)
        case .logic?, .op?, .statement?:
            return SQLToken(kind ?? .bareword, word: text)
        default:
            break
        }
        if isCall {
            var token = SQLToken(.function, word: text)
            token.adjacentParen = lookahead == index
            return token
        }
        if kind == .keyword { return SQLToken(.keyword, word: text) }
        return SQLToken(.bareword, word: text)
    }
}
