/// The classification rules of `SQLInjectionDetector` over one context's tokens.
struct SQLPatterns {
    /// All tokens, comments included.
    let all: [SQLToken]
    /// Tokens without comments.
    let tokens: [SQLToken]
    /// True when the first token is the tail of a string the value was injected into.
    let quoted: Bool

    /// Whether some token can start one of `matchedRule`'s token patterns (each starts at a variable, union,
    /// `;`, logic operator, statement, call, operator or keyword): most text is words and numbers only.
    let hasPatternStart: Bool

    init(tokens: [SQLToken], quoted: Bool) {
        self.all = tokens
        self.tokens = tokens.contains { $0.kind == .comment } ? tokens.filter { $0.kind != .comment } : tokens
        self.quoted = quoted
        hasPatternStart = tokens.contains { token in
            switch token.kind {
            case .variable, .union, .semicolon, .logic, .statement, .function, .op, .keyword: true
            default: false
            }
        }
    }

    private func at(_ index: Int) -> SQLToken? { index >= 0 && index < tokens.count ? tokens[index] : nil }

    var isInjection: Bool { matchedRule != nil }

    /// The name of the first rule that classifies the tokens as an injection (for tests and diagnostics).
    var matchedRule: String? {
        if quoted && breaksOutOfString { return "string-breakout" }
        guard hasPatternStart else { return nil }
        for index in tokens.indices {
            if systemVariable(at: index) { return "system-variable" }
            if unionSelect(at: index) { return "union-select" }
            if stackedStatement(at: index) { return "stacked-statement" }
            if tautology(at: index) { return "tautology" }
            if dangerousCall(at: index) { return "dangerous-call" }
            if subqueryComparison(at: index) { return "subquery-comparison" }
            if orderByProbe(at: index) { return "order-by-probe" }
            if statementShape(at: index) { return "statement" }
        }
        return nil
    }

    // MARK: - Quote context

    /// `x' OR 'a'='a`, `admin'--`, `x' + sleep(1) + '`, `x') UNION ...`, `x'; DROP ...`.
    private var breaksOutOfString: Bool {
        guard let first = all.first, first.kind == .string, first.closed, all.count > 1 else { return false }
        // A comment right after the closed string ends the query early: `admin'--`, `admin'#`, `x'/*`.
        if all[1].kind == .comment { return all[1].word == [UInt8(ascii: "/")] || all[1].openComment }
        var index = 1
        while at(index)?.kind == .rightParen { index += 1 }
        let closedParens = index > 1
        guard let next = at(index) else { return false }
        switch next.kind {
        case .logic:
            guard let operand = at(index + 1) else { return false }
            if operand.isLiteral || operand.kind == .leftParen || operand.kind == .statement { return true }
            if operand.isWord("not") || operand.isWord("exists") { return true }
            if operand.kind == .bareword, let comparison = at(index + 2), comparison.kind == .op { return true }
            return false
        case .op:
            guard let operand = at(index + 1) else { return false }
            return operatorContinues(next, operand, at: index + 1)
        case .semicolon:
            return at(index + 1) == nil || at(index + 1)?.kind == .statement || closedParens
        case .union:
            return unionSelect(at: index)
        case .statement:
            return statementLooksReal(at: index, afterSeparator: false) || next.isWord("waitfor")
        case .function:
            return isDangerous(next)
        case .comment:
            return next.word == [UInt8(ascii: "/")] || next.openComment
        case .keyword:
            // `' order by 1`, `' group by x`, `' into outfile '/x`, `' limit 1--`, `' procedure analyse(`
            let following = at(index + 1)
            if next.isWord("order") || next.isWord("group") {
                return following?.isWord("by") == true && at(index + 2) != nil
            }
            if next.isWord("into") {
                return following?.isWord("outfile") == true || following?.isWord("dumpfile") == true
            }
            if next.isWord("procedure") { return following?.kind == .function }
            if next.isWord("limit") {
                guard following?.kind == .number else { return false }
                let after = at(index + 2)
                return after == nil || after?.kind == .comma || after?.kind == .semicolon
                    || after?.isWord("offset") == true
                    || (all.last?.kind == .comment && tokens.count == index + 2)
            }
            return false
        case .rightParen, .leftParen, .comma, .string, .number, .variable, .bareword, .other:
            return closedParens && next.kind == .comma
        }
    }

    /// After `x'` comes an operator: comparisons need a literal operand (`1'='1`), arithmetic and
    /// concatenation a call or subquery (`x'+sleep(1)+'`), bitwise `|`/`^`/`&` any operand (`" | type x`);
    /// word operators (`not`, `like`, `in`) a literal or a parenthesis.
    private func operatorContinues(_ op: SQLToken, _ operand: SQLToken, at operandIndex: Int) -> Bool {
        let symbol = op.word
        if let first = symbol.first, ByteSearch.isAlpha(first) {
            return wordOperatorContinues(op, operand, at: operandIndex)
        }
        if symbol.contains(UInt8(ascii: "=")) || symbol.contains(UInt8(ascii: "<"))
            || symbol.contains(UInt8(ascii: ">"))
        {
            return operand.isLiteral || operand.kind == .leftParen && at(operandIndex + 1)?.kind == .statement
        }
        if symbol == [UInt8(ascii: "|")] {
            return (operand.isOperand && operand.kind != .string) || operand.kind == .leftParen
        }
        if symbol == [UInt8(ascii: "^")] || symbol == [UInt8(ascii: "&")] {
            return operand.kind == .number || operand.kind == .leftParen
                || (operand.kind == .function
                    && (isDangerous(operand) || SQLLexicon.sqlFunctions.contains(operand.word)))
        }
        // + - * / % ~
        if operand.kind == .function { return isDangerous(operand) || SQLLexicon.sqlFunctions.contains(operand.word) }
        if operand.kind == .leftParen { return at(operandIndex + 1)?.kind == .statement }
        return operand.kind == .variable
    }

    /// Word operators after `x'` must read as SQL, not English (`"is" prefix`, `"foo" in the list`):
    /// `is [not] null|true|false`, `[not] in (`, `like|regexp '...'`, `between 1 and`, `not exists`.
    private func wordOperatorContinues(_ op: SQLToken, _ operand: SQLToken, at operandIndex: Int) -> Bool {
        if op.isWord("is") {
            let target = operand.isWord("not") ? at(operandIndex + 1) : operand
            guard let target else { return false }
            return target.isWord("null") || target.isWord("true") || target.isWord("false")
        }
        if op.isWord("in") { return operand.kind == .leftParen }
        if op.isWord("not") {
            return operand.isWord("in") || operand.isWord("like") || operand.isWord("between")
                || operand.isWord("exists") || operand.isWord("null") || operand.kind == .number
                || (operand.kind == .leftParen && at(operandIndex + 1)?.kind == .statement)
        }
        if op.isWord("between") {
            return (operand.kind == .number || operand.kind == .string) && at(operandIndex + 1)?.isWord("and") == true
        }
        if op.isWord("like") || op.isWord("rlike") || op.isWord("regexp") || op.isWord("glob") || op.isWord("ilike") {
            guard operand.kind == .string || operand.kind == .number else { return false }
            let after = at(operandIndex + 1)
            return after == nil || after?.kind == .logic || after?.kind == .rightParen || after?.kind == .semicolon
                || (operand.kind == .string && !operand.closed)
        }
        return false
    }

    // MARK: - Anywhere

    /// `@@version`, `@@datadir`: server system variables.
    private func systemVariable(at index: Int) -> Bool {
        let token = tokens[index]
        return token.kind == .variable && token.word.count > 2 && token.word[1] == UInt8(ascii: "@")
    }

    /// `UNION [ALL] SELECT`, `UNION (SELECT`.
    private func unionSelect(at index: Int) -> Bool {
        guard tokens[index].kind == .union else { return false }
        // `2 UNION ALL` after a number: the classic prefix even when the select is cut off or hidden.
        if index > 0, tokens[index - 1].kind == .number, tokens[index].word.contains(UInt8(ascii: " ")) { return true }
        var next = index + 1
        while at(next)?.kind == .leftParen { next += 1 }
        guard let token = at(next) else { return false }
        return token.isWord("select") || token.isWord("values")
    }

    /// `; DROP TABLE x`, `; SELECT ...`, `; EXEC xp_...`, `; SHUTDOWN`.
    private func stackedStatement(at index: Int) -> Bool {
        guard tokens[index].kind == .semicolon, let statement = at(index + 1), statement.kind == .statement else {
            return false
        }
        return statementLooksReal(at: index + 1, afterSeparator: true)
    }

    /// `1 OR 1=1`, `x AND 2>1`, `1 AND SLEEP(5)`, `1 OR TRUE`, `1) OR (1=1`, `1 || (select ...)`.
    private func tautology(at index: Int) -> Bool {
        guard tokens[index].kind == .logic else { return false }
        // A value that starts with the logic operator (`or 1=1--`) has no left operand of its own.
        let before = index > 0 ? tokens[index - 1] : SQLToken(.number)
        guard before.isOperand || before.kind == .rightParen else { return false }
        if index == 0 && tokens[index].word.first.map(ByteSearch.isAlpha) != true { return false }
        var next = index + 1
        while at(next)?.kind == .leftParen { next += 1 }
        guard let left = at(next) else { return false }
        if left.kind == .statement { return left.isWord("select") }
        if left.kind == .function {
            return isDangerous(left) || (left.adjacentParen && SQLLexicon.sqlFunctions.contains(left.word))
        }
        if left.isWord("true") || left.isWord("false") || left.isWord("null") {
            let after = at(next + 1)
            return after == nil || after?.kind == .rightParen || after?.kind == .op
                || (next + 1 < all.count && all.last?.kind == .comment)
        }
        guard left.isOperand, let comparison = at(next + 1), isComparison(comparison), let right = at(next + 2),
            right.isOperand || right.kind == .leftParen
        else { return false }
        if let first = comparison.word.first, ByteSearch.isAlpha(first) {
            guard wordOperatorContinues(comparison, right, at: next + 2) else { return false }
        }
        // Bareword comparisons (`this or that = other`) are prose; need a literal on one side. Outside a quote
        // context a quoted word is prose too (`"quotes" or 'apostrophes' = both`); string tautologies are
        // caught in the quote contexts.
        // After a number (`1 AND 'a'='a'`) quoted operands count again.
        let numericContext = quoted || before.kind == .number || before.kind == .rightParen
        func counts(_ token: SQLToken) -> Bool { token.isLiteral && (numericContext || token.kind != .string) }
        return counts(left) || counts(right)
            || (before.isLiteral && (left.kind == .bareword && right.kind == .bareword) && comparison.word == left.word)
    }

    /// `1 RLIKE (SELECT ...)`, `id = (select ...)`, `1 IN (SELECT 1)`.
    private func subqueryComparison(at index: Int) -> Bool {
        guard isComparison(tokens[index]), index > 0,
            tokens[index - 1].isOperand || tokens[index - 1].kind == .rightParen
        else { return false }
        var next = index + 1
        guard at(next)?.kind == .leftParen else { return false }
        while at(next)?.kind == .leftParen { next += 1 }
        guard let inner = at(next) else { return false }
        return inner.isWord("select") && at(next + 1) != nil
    }

    /// `1 ORDER BY 5`, `x' GROUP BY 1,2--`: column-count probing after a value.
    private func orderByProbe(at index: Int) -> Bool {
        guard index > 0, tokens[index].isWord("order") || tokens[index].isWord("group"),
            at(index + 1)?.isWord("by") == true,
            let column = at(index + 2), column.kind == .number
        else { return false }
        let before = tokens[index - 1]
        guard before.kind == .number || before.kind == .rightParen || before.kind == .string else { return false }
        let after = at(index + 3)
        return after == nil || after?.kind == .comma || after?.kind == .semicolon || all.last?.kind == .comment
    }

    /// `sleep(5)`, `benchmark(1000000,md5(1))`, `extractvalue(...)`, `waitfor delay '0:0:5'`.
    private func dangerousCall(at index: Int) -> Bool {
        let token = tokens[index]
        if token.isWord("waitfor"), let next = at(index + 1), next.isWord("delay") || next.isWord("time") {
            return true
        }
        guard token.kind == .function, isDangerous(token), let open = at(index + 1), open.kind == .leftParen,
            let argument = at(index + 2)
        else { return false }
        if SQLLexicon.delayFunctions.contains(token.word) {
            // sleep(5), pg_sleep(5), benchmark(1000000,md5(1)), sleep((select ...)): not sleep("text") or sleep().
            return argument.kind == .number || argument.kind == .leftParen || argument.kind == .statement
                || argument.kind == .function || (argument.kind == .variable && argument.word.count > 1)
        }
        return argument.isLiteral || argument.kind == .leftParen || argument.kind == .statement
            || (argument.kind == .bareword && at(index + 3)?.kind == .comma)
    }

    /// Whole statements: `select * from`, `select a, b from`, `drop table x`, `insert into x values`,
    /// `delete from x where`, `update x set y=`, `exec xp_cmdshell`, `declare @x`.
    private func statementShape(at index: Int) -> Bool {
        guard tokens[index].kind == .statement else { return false }
        return statementLooksReal(at: index, afterSeparator: false)
    }

    private func statementLooksReal(at index: Int, afterSeparator: Bool) -> Bool {
        let statement = tokens[index]
        let next = at(index + 1)
        if statement.isWord("select") {
            guard let next else { return false }
            if next.kind == .leftParen {
                guard let inner = at(index + 2) else { return afterSeparator }
                return inner.isLiteral || inner.kind == .statement || inner.kind == .leftParen || inner.isWord("*")
            }
            if next.isWord("*") {
                // `select * from`, `select *,`; not markdown (`select **File**`).
                guard let after = at(index + 2) else { return afterSeparator }
                return after.isWord("from") || after.kind == .comma
            }
            if (next.kind == .variable && next.word.count > 1) || next.kind == .function
                || next.isWord("null") || next.isWord("distinct") || next.isWord("top") || next.isWord("case")
            {
                return true
            }
            if next.kind == .number || next.kind == .string {
                guard let after = at(index + 2) else { return afterSeparator }
                return after.kind == .comma || after.isWord("from") || after.kind == .rightParen
                    || after.kind == .semicolon || after.kind == .union || after.isWord("into")
            }
            if next.kind == .bareword {
                guard let after = at(index + 2) else { return afterSeparator }
                if after.isWord("from") {
                    guard let table = at(index + 3) else { return afterSeparator }
                    return table.kind == .bareword && (at(index + 4) == nil || at(index + 4)?.kind != .bareword)
                }
                if after.kind == .comma {
                    return tokens[(index + 2)...].contains { $0.isWord("from") }
                }
            }
            return false
        }
        if statement.isWord("drop") || statement.isWord("create") || statement.isWord("alter")
            || statement.isWord("truncate")
        {
            guard let next else { return afterSeparator && statement.isWord("drop") == false }
            return SQLLexicon.schemaObjects.contains(next.word) && at(index + 2) != nil
        }
        if statement.isWord("insert") || statement.isWord("replace") {
            guard let into = next, into.isWord("into"), let table = at(index + 2),
                table.kind == .bareword
                    || table.kind == .function
            else { return false }
            guard let after = at(index + (table.kind == .function ? 3 : 3)) else { return afterSeparator }
            return after.isWord("values") || after.isWord("select") || after.kind == .leftParen
                || table.kind == .function
        }
        if statement.isWord("delete") {
            guard let from = next, from.isWord("from"), let table = at(index + 2), table.kind == .bareword else {
                return false
            }
            guard let after = at(index + 3) else { return afterSeparator }
            return after.isWord("where") || after.kind == .semicolon
        }
        if statement.isWord("update") {
            guard let table = next, table.kind == .bareword, let set = at(index + 2), set.isWord("set"),
                let column = at(index + 3), column.kind == .bareword, let equals = at(index + 4)
            else { return false }
            return equals.kind == .op && equals.word == [UInt8(ascii: "=")]
        }
        if statement.isWord("exec") || statement.isWord("execute") {
            guard let target = next else { return afterSeparator }
            if target.kind == .leftParen {
                let inner = at(index + 2)
                return inner?.kind == .string || inner?.kind == .variable
            }
            if target.kind == .variable || target.kind == .string { return true }
            let name = target.word
            return name.starts(with: Array("xp_".utf8)) || name.starts(with: Array("sp_".utf8))
                || name.starts(with: Array("master.".utf8)) || (afterSeparator && target.kind != .leftParen)
        }
        if statement.isWord("declare") { return next?.kind == .variable }
        if statement.isWord("shutdown") { return afterSeparator && (next == nil || next?.isWord("with") == true) }
        if statement.isWord("waitfor") { return next?.isWord("delay") == true || next?.isWord("time") == true }
        if statement.isWord("grant") || statement.isWord("revoke") {
            return afterSeparator && next != nil
        }
        return afterSeparator && next != nil && next?.kind != .bareword
    }

    /// `=`, `<`, `>`, `!=`, `<>`, `<=>`, `like`, `is`, `in`, `regexp`, `between`, ... (not arithmetic).
    private func isComparison(_ token: SQLToken) -> Bool {
        guard token.kind == .op, let first = token.word.first else { return false }
        if ByteSearch.isAlpha(first) { return !token.isWord("div") && !token.isWord("mod") && !token.isWord("collate") }
        // `==` is code (Swift, C, JavaScript), not SQL.
        if token.word.count >= 2 && token.word[0] == UInt8(ascii: "=") && token.word[1] == UInt8(ascii: "=") {
            return false
        }
        return token.word.contains(UInt8(ascii: "=")) || token.word.contains(UInt8(ascii: "<"))
            || token.word.contains(UInt8(ascii: ">"))
    }

    private func isDangerous(_ token: SQLToken) -> Bool { SQLLexicon.dangerousFunctions.contains(token.word) }
}
