/// Comment handling behind `t:replaceComments`, `t:removeComments` and `t:removeCommentsChar`.
enum Comments {
    @inline(__always)
    private static func at(_ input: [UInt8], _ index: Int, _ literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard index + length <= input.count else { return false }
        return literal.withUTF8Buffer { text in
            for k in 0..<length where input[index + k] != text[k] { return false }
            return true
        }
    }

    /// Each C-style `/* ... */` comment becomes one space; an unterminated one runs to the end.
    static func replaceComments(_ input: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            if at(input, index, "/*") {
                output.append(0x20)
                var cursor = index + 2
                while cursor < input.count && !at(input, cursor, "*/") { cursor += 1 }
                index = min(cursor + 2, input.count)
                continue
            }
            output.append(input[index])
            index += 1
        }
        return output
    }

    /// Removes `/* ... */` and `<!-- ... -->` comments (unterminated ones run to the end) and everything from
    /// a `--` or `#` line comment to the end of the line.
    static func removeComments(_ input: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            if at(input, index, "/*") {
                var cursor = index + 2
                while cursor < input.count && !at(input, cursor, "*/") { cursor += 1 }
                index = min(cursor + 2, input.count)
            } else if at(input, index, "<!--") {
                var cursor = index + 4
                while cursor < input.count && !at(input, cursor, "-->") { cursor += 1 }
                index = min(cursor + 3, input.count)
            } else if at(input, index, "--") || input[index] == UInt8(ascii: "#") {
                var cursor = index
                while cursor < input.count && input[cursor] != 0x0A { cursor += 1 }
                index = cursor
            } else {
                output.append(input[index])
                index += 1
            }
        }
        return output
    }

    /// Removes the comment markers `/*`, `*/`, `<!--`, `-->`, `--` and `#`, keeping the text between them.
    static func removeCommentsChar(_ input: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            if at(input, index, "/*") || at(input, index, "*/") {
                index += 2
            } else if at(input, index, "<!--") {
                index += 4
            } else if at(input, index, "-->") {
                index += 3
            } else if at(input, index, "--") {
                index += 2
            } else if input[index] == UInt8(ascii: "#") {
                index += 1
            } else {
                output.append(input[index])
                index += 1
            }
        }
        return output
    }
}
