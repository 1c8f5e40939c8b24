/// One logical SecLang directive line: continuation lines joined, comments removed.
struct DirectiveLine: Sendable {
    var name: String
    var arguments: [String]
    var file: String
    var line: Int
}

/// Splits SecLang text into directives and their (unquoted) arguments.
///
/// Rules (Apache-style config as ModSecurity reads it): a line ending in `\` continues on the next line;
/// a line whose first non-blank character is `#` is a comment; arguments are separated by blanks; a double-quoted
/// argument may contain blanks and `\"` (which becomes `"`); other backslashes are kept as written (regexes need them).
enum SecLangLexer {
    static func directives(in text: String, file: String) throws(RuleLoadError) -> [DirectiveLine] {
        var result: [DirectiveLine] = []
        var pending = ""
        var pendingLine = 0
        var lineNumber = 0
        var continuing = false
        // A UTF-8 byte order mark at the start of a file is not part of the first directive.
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if !continuing {
                let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                pendingLine = lineNumber
                pending = ""
            }
            var content = line
            // Trailing blanks after the backslash are tolerated.
            while let last = content.last, last == " " || last == "\t" { content = content.dropLast() }
            if content.hasSuffix("\\") {
                pending += content.dropLast()
                continuing = true
                continue
            }
            pending += line
            continuing = false
            if let directive = try tokenize(pending, file: file, line: pendingLine) {
                result.append(directive)
            }
        }
        if continuing, let directive = try tokenize(pending, file: file, line: pendingLine) {
            result.append(directive)
        }
        return result
    }

    static func tokenize(_ text: String, file: String, line: Int) throws(RuleLoadError) -> DirectiveLine? {
        var words: [String] = []
        var chars = Array(text.unicodeScalars)
        chars.append(" ")
        var index = 0
        while index < chars.count {
            let c = chars[index]
            if c == " " || c == "\t" {
                index += 1
                continue
            }
            var word = String.UnicodeScalarView()
            if c == "\"" {
                index += 1
                var closed = false
                while index < chars.count - 1 {
                    let d = chars[index]
                    if d == "\\" && index + 1 < chars.count - 1 && chars[index + 1] == "\"" {
                        word.append("\"")
                        index += 2
                        continue
                    }
                    if d == "\\" && index + 1 < chars.count - 1 && chars[index + 1] == "\\" {
                        // An escaped backslash stays as written (regexes need it) and does not escape a quote.
                        word.append("\\")
                        word.append("\\")
                        index += 2
                        continue
                    }
                    if d == "\"" {
                        closed = true
                        index += 1
                        break
                    }
                    word.append(d)
                    index += 1
                }
                if !closed {
                    throw RuleLoadError(.syntax, file: file, line: line, "unterminated double-quoted argument")
                }
            } else if c == "'" {
                index += 1
                var closed = false
                while index < chars.count - 1 {
                    let d = chars[index]
                    if d == "\\" && index + 1 < chars.count - 1 && chars[index + 1] == "'" {
                        word.append("'")
                        index += 2
                        continue
                    }
                    if d == "'" {
                        closed = true
                        index += 1
                        break
                    }
                    word.append(d)
                    index += 1
                }
                if !closed {
                    throw RuleLoadError(.syntax, file: file, line: line, "unterminated single-quoted argument")
                }
            } else {
                while index < chars.count && chars[index] != " " && chars[index] != "\t" {
                    word.append(chars[index])
                    index += 1
                }
            }
            words.append(String(word))
        }
        guard let name = words.first else { return nil }
        return DirectiveLine(name: name, arguments: Array(words.dropFirst()), file: file, line: line)
    }

    /// Splits an action list (`id:1,phase:2,msg:'a, b'`) into `(name, value)` pairs.
    /// Values in single quotes may contain commas and `\'`.
    static func actions(_ text: String, file: String, line: Int) throws(RuleLoadError) -> [(
        name: String, value: String?
    )] {
        var result: [(String, String?)] = []
        let chars = Array(text.unicodeScalars)
        var index = 0
        func skipBlanks() {
            while index < chars.count, chars[index] == " " || chars[index] == "\t" || chars[index] == "\n" {
                index += 1
            }
        }
        while index < chars.count {
            skipBlanks()
            if index >= chars.count { break }
            var name = String.UnicodeScalarView()
            while index < chars.count, chars[index] != ":" && chars[index] != "," {
                name.append(chars[index])
                index += 1
            }
            let actionName = String(name).trimmingBlanks()
            var value: String?
            if index < chars.count, chars[index] == ":" {
                index += 1
                skipBlanks()
                var v = String.UnicodeScalarView()
                if index < chars.count, chars[index] == "'" {
                    index += 1
                    var closed = false
                    while index < chars.count {
                        let d = chars[index]
                        if d == "\\" && index + 1 < chars.count && chars[index + 1] == "'" {
                            v.append("'")
                            index += 2
                            continue
                        }
                        if d == "'" {
                            closed = true
                            index += 1
                            break
                        }
                        v.append(d)
                        index += 1
                    }
                    if !closed {
                        throw RuleLoadError(
                            .syntax, file: file, line: line, "unterminated quoted value of action '\(actionName)'")
                    }
                    skipBlanks()
                    if index < chars.count && chars[index] != "," {
                        throw RuleLoadError(
                            .syntax, file: file, line: line,
                            "unexpected text after quoted value of action '\(actionName)'")
                    }
                    value = String(v)
                } else {
                    while index < chars.count, chars[index] != "," {
                        v.append(chars[index])
                        index += 1
                    }
                    value = String(v).trimmingBlanks()
                }
            }
            if index < chars.count, chars[index] == "," { index += 1 }
            if actionName.isEmpty {
                if value == nil { continue }
                throw RuleLoadError(.syntax, file: file, line: line, "empty action name")
            }
            result.append((actionName, value))
        }
        return result
    }
}

extension String {
    func trimmingBlanks() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
