/// What `XML:/*` and `XML://@*` see: all character data (entities decoded) and every attribute value.
struct XMLContent {
    var text: [UInt8] = []
    var attributes: [[UInt8]] = []
}

/// A small non-validating XML reader: checks tags nest properly, decodes the predefined and numeric
/// entities, never resolves external entities (no XXE).
enum XMLBodyProcessor {
    static func parse(_ input: [UInt8], limits: BodyLimits) throws(BodyProcessorError) -> XMLContent {
        var content = XMLContent()
        var stack: [[UInt8]] = []
        var i = 0
        var sawRoot = false
        func starts(_ s: String, at p: Int) -> Bool {
            let u = Array(s.utf8)
            return p + u.count <= input.count && Array(input[p..<(p + u.count)]) == u
        }
        func find(_ s: String, from p: Int) -> Int? {
            let u = Array(s.utf8)
            var j = p
            while j + u.count <= input.count {
                if input[j] == u[0] && Array(input[j..<(j + u.count)]) == u { return j }
                j += 1
            }
            return nil
        }
        while i < input.count {
            if input[i] != UInt8(ascii: "<") {
                let start = i
                while i < input.count, input[i] != UInt8(ascii: "<") { i += 1 }
                let chunk = Array(input[start..<i])
                if stack.isEmpty {
                    if !chunk.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 }) {
                        throw BodyProcessorError(.syntax, "XML: text outside the root element")
                    }
                } else {
                    content.text += decodeEntities(chunk)
                }
                continue
            }
            if starts("<?", at: i) {
                guard let end = find("?>", from: i + 2) else {
                    throw BodyProcessorError(.syntax, "XML: unterminated processing instruction")
                }
                i = end + 2
            } else if starts("<!--", at: i) {
                guard let end = find("-->", from: i + 4) else {
                    throw BodyProcessorError(.syntax, "XML: unterminated comment")
                }
                i = end + 3
            } else if starts("<![CDATA[", at: i) {
                guard let end = find("]]>", from: i + 9) else {
                    throw BodyProcessorError(.syntax, "XML: unterminated CDATA")
                }
                content.text += input[(i + 9)..<end]
                i = end + 3
            } else if starts("<!", at: i) {
                // DOCTYPE (possibly with an internal subset): skipped, entities are not expanded.
                var depth = 0
                var j = i + 2
                while j < input.count {
                    if input[j] == UInt8(ascii: "[") { depth += 1 }
                    if input[j] == UInt8(ascii: "]") { depth -= 1 }
                    if input[j] == UInt8(ascii: ">") && depth <= 0 { break }
                    j += 1
                }
                guard j < input.count else { throw BodyProcessorError(.syntax, "XML: unterminated declaration") }
                i = j + 1
            } else if starts("</", at: i) {
                guard let end = input[(i + 2)...].firstIndex(of: UInt8(ascii: ">")) else {
                    throw BodyProcessorError(.syntax, "XML: unterminated end tag")
                }
                var name = Array(input[(i + 2)..<end])
                while let l = name.last, l == 32 || l == 9 || l == 10 || l == 13 { name.removeLast() }
                guard let open = stack.popLast(), open == name else {
                    throw BodyProcessorError(.syntax, "XML: mismatched end tag")
                }
                i = end + 1
            } else {
                // Start tag: name, attributes, optional '/'.
                var j = i + 1
                let nameStart = j
                while j < input.count, !" \t\r\n/>".utf8.contains(input[j]) { j += 1 }
                let name = Array(input[nameStart..<j])
                if name.isEmpty { throw BodyProcessorError(.syntax, "XML: empty tag name") }
                if stack.isEmpty && sawRoot { throw BodyProcessorError(.syntax, "XML: more than one root element") }
                var selfClosing = false
                while true {
                    while j < input.count, " \t\r\n".utf8.contains(input[j]) { j += 1 }
                    guard j < input.count else { throw BodyProcessorError(.syntax, "XML: unterminated start tag") }
                    if input[j] == UInt8(ascii: ">") {
                        j += 1
                        break
                    }
                    if input[j] == UInt8(ascii: "/"), j + 1 < input.count, input[j + 1] == UInt8(ascii: ">") {
                        selfClosing = true
                        j += 2
                        break
                    }
                    let attrStart = j
                    while j < input.count, !" \t\r\n=/>".utf8.contains(input[j]) { j += 1 }
                    if j == attrStart { throw BodyProcessorError(.syntax, "XML: malformed attribute") }
                    while j < input.count, " \t\r\n".utf8.contains(input[j]) { j += 1 }
                    guard j < input.count, input[j] == UInt8(ascii: "=") else {
                        throw BodyProcessorError(.syntax, "XML: attribute without value")
                    }
                    j += 1
                    while j < input.count, " \t\r\n".utf8.contains(input[j]) { j += 1 }
                    guard j < input.count, input[j] == UInt8(ascii: "\"") || input[j] == UInt8(ascii: "'") else {
                        throw BodyProcessorError(.syntax, "XML: unquoted attribute value")
                    }
                    let quote = input[j]
                    guard let close = input[(j + 1)...].firstIndex(of: quote) else {
                        throw BodyProcessorError(.syntax, "XML: unterminated attribute value")
                    }
                    content.attributes.append(decodeEntities(Array(input[(j + 1)..<close])))
                    j = close + 1
                }
                sawRoot = true
                if !selfClosing {
                    stack.append(name)
                    if stack.count > limits.depth {
                        throw BodyProcessorError(.depthLimit, "XML: nesting deeper than \(limits.depth)")
                    }
                }
                i = j
            }
        }
        if !stack.isEmpty { throw BodyProcessorError(.syntax, "XML: unclosed element") }
        if !sawRoot { throw BodyProcessorError(.syntax, "XML: no root element") }
        return content
    }

    static func decodeEntities(_ input: [UInt8]) -> [UInt8] {
        guard input.contains(UInt8(ascii: "&")) else { return input }
        var out: [UInt8] = []
        var i = 0
        while i < input.count {
            if input[i] == UInt8(ascii: "&"), let semi = input[i...].prefix(12).firstIndex(of: UInt8(ascii: ";")) {
                let name = String(decoding: input[(i + 1)..<semi], as: UTF8.self)
                var replacement: [UInt8]?
                switch name {
                case "lt": replacement = [UInt8(ascii: "<")]
                case "gt": replacement = [UInt8(ascii: ">")]
                case "amp": replacement = [UInt8(ascii: "&")]
                case "quot": replacement = [UInt8(ascii: "\"")]
                case "apos": replacement = [UInt8(ascii: "'")]
                default:
                    if name.hasPrefix("#x") || name.hasPrefix("#X"), let v = UInt32(name.dropFirst(2), radix: 16),
                        let s = Unicode.Scalar(v)
                    {
                        replacement = Array(String(Character(s)).utf8)
                    } else if name.hasPrefix("#"), let v = UInt32(name.dropFirst()), let s = Unicode.Scalar(v) {
                        replacement = Array(String(Character(s)).utf8)
                    }
                }
                if let replacement {
                    out += replacement
                    i = semi + 1
                    continue
                }
            }
            out.append(input[i])
            i += 1
        }
        return out
    }
}
