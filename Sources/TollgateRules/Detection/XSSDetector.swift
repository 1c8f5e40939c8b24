/// Tollgate's own cross-site scripting detector, written from the published idea: read the value as the HTML
/// tokenizer of a browser would (tags, attribute names, attribute values, and the attribute-value context an
/// injected value can start in), then flag what runs script: active elements (`<script`, `<iframe`, ...),
/// event-handler attributes (`onerror=`), script URLs in URL attributes (`href=javascript:`), script in
/// styles, and a value that is itself a script URL.
enum XSSDetector {
    /// Values longer than this are only scanned in their first `maxScan` bytes.
    static let maxScan = 16 * 1024

    static func detect(_ input: [UInt8]) -> Bool {
        if input.isEmpty { return false }
        // Every pattern needs a `<` (tag), `=` (handler) or `:` (script URL).
        if !input.contains(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: ":") }) {
            return false
        }
        let value = input.count > maxScan ? Array(input[0..<maxScan]) : input
        if startsWithScriptURL(value[...], schemes: XSSLexicon.documentSchemes) { return true }
        var index = 0
        while index < value.count {
            let byte = value[index]
            if byte == UInt8(ascii: "<"), tagIsActive(value, at: index) { return true }
            if (byte | 0x20) == UInt8(ascii: "o"), injectedHandler(value, at: index) { return true }
            if (byte | 0x20) == UInt8(ascii: "j") || (byte | 0x20) == UInt8(ascii: "v"),
                scriptURLWithCode(value, at: index)
            {
                return true
            }
            index += 1
        }
        return false
    }

    // MARK: - Tags

    /// Reads the tag starting at `value[lt] == "<"` and reports whether it is active.
    private static func tagIsActive(_ value: [UInt8], at lt: Int) -> Bool {
        var index = lt + 1
        guard index < value.count else { return false }
        if value[index] == UInt8(ascii: "/") { return false }  // end tags do nothing by themselves
        let nameStart = index
        guard ByteSearch.isAlpha(value[index]) else { return false }
        while index < value.count, isNameByte(value[index]) { index += 1 }
        var name = value[nameStart..<index].map(ByteSearch.lower)
        if let colon = name.lastIndex(of: UInt8(ascii: ":")) { name = Array(name[(colon + 1)...]) }
        // The name must end where a browser ends it: whitespace, `/`, `>` or the end of the value.
        let atEnd = index == value.count
        guard
            atEnd || isSpaceLike(value[index]) || value[index] == UInt8(ascii: "/") || value[index] == UInt8(ascii: ">")
        else { return false }
        if XSSLexicon.activeElements.contains(name) { return true }
        return attributesAreActive(value, from: index, activating: XSSLexicon.activatingAttributes[name])
    }

    /// Walks the attributes from `start` to the closing `>` (or the end of the value).
    private static func attributesAreActive(_ value: [UInt8], from start: Int, activating: [UInt8]?) -> Bool {
        var index = start
        while index < value.count {
            let byte = value[index]
            if byte == UInt8(ascii: ">") { return false }
            if isSpaceLike(byte) || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
            {
                index += 1
                continue
            }
            // Attribute name.
            let nameStart = index
            while index < value.count, !isSpaceLike(value[index]), value[index] != UInt8(ascii: "/"),
                value[index] != UInt8(ascii: ">"), value[index] != UInt8(ascii: "=")
            {
                index += 1
            }
            if index == nameStart { index += 1 }  // a lone `=`: skip it
            let name = value[nameStart..<index].map(ByteSearch.lower)
            var probe = index
            while probe < value.count, isSpaceLike(value[probe]) { probe += 1 }
            guard probe < value.count, value[probe] == UInt8(ascii: "=") else {
                if isHandlerName(name, strict: false) {
                    // `<svg onload` at the end, or a name broken by odd bytes (`<body onload!#$%/=alert(1)>`).
                    var rest = probe
                    while rest < value.count && value[rest] != UInt8(ascii: ">") && value[rest] != UInt8(ascii: "=") {
                        rest += 1
                    }
                    if rest == value.count || value[rest] == UInt8(ascii: "=") { return true }
                }
                continue
            }
            // Attribute value.
            probe += 1
            while probe < value.count, isSpaceLike(value[probe]) { probe += 1 }
            let valueStart: Int
            let valueEnd: Int
            if probe < value.count,
                value[probe] == UInt8(ascii: "\"") || value[probe] == UInt8(ascii: "'")
                    || value[probe] == UInt8(ascii: "`")
            {
                let quote = value[probe]
                valueStart = probe + 1
                var end = valueStart
                while end < value.count, value[end] != quote { end += 1 }
                valueEnd = end
                index = min(end + 1, value.count)
            } else {
                valueStart = probe
                var end = probe
                while end < value.count, !isSpaceLike(value[end]), value[end] != UInt8(ascii: ">") { end += 1 }
                valueEnd = end
                index = end
            }
            if isHandlerName(name, strict: false) || name == activating { return true }
            let attributeValue = value[valueStart..<valueEnd]
            // SVG `<set attributeName=onclick to=...>` / `<animate attributeName=href values=javascript:...>`.
            if name == Array("attributename".utf8), attributeValue.count > 2,
                ByteSearch.lower(attributeValue[attributeValue.startIndex]) == UInt8(ascii: "o"),
                ByteSearch.lower(attributeValue[attributeValue.startIndex + 1]) == UInt8(ascii: "n")
            {
                return true
            }
            if XSSLexicon.urlAttributes.contains(name), startsWithScriptURL(attributeValue) { return true }
            if name == Array("style".utf8), containsAny(attributeValue, XSSLexicon.styleMarkers) { return true }
            if name == Array("srcdoc".utf8), attributeValue.contains(UInt8(ascii: "<")) { return true }
        }
        return false
    }

    // MARK: - Outside tags

    /// `" onmouseover=alert(1)`, `' autofocus onfocus='x`: a known event handler at a word start, then `=`.
    private static func injectedHandler(_ value: [UInt8], at index: Int) -> Bool {
        if index > 0 {
            let before = value[index - 1]
            guard
                isSpaceLike(before) || before == UInt8(ascii: "\"") || before == UInt8(ascii: "'")
                    || before == UInt8(ascii: "/") || before == UInt8(ascii: ";") || before == UInt8(ascii: "`")
            else { return false }
        }
        var end = index
        while end < value.count, ByteSearch.isAlpha(value[end]) { end += 1 }
        guard end - index > 2, end - index < 32 else { return false }
        let name = value[index..<end].map(ByteSearch.lower)
        guard isHandlerName(name, strict: true) else { return false }
        while end < value.count, isSpaceLike(value[end]) { end += 1 }
        return end < value.count && value[end] == UInt8(ascii: "=")
    }

    /// `javascript:alert(1)` (or `vbscript:`) anywhere, followed by something that reads as code.
    private static func scriptURLWithCode(_ value: [UInt8], at index: Int) -> Bool {
        for scheme in [Array("javascript:".utf8), Array("vbscript:".utf8)] {
            guard let end = matchSchemeIgnoringControls(value[index...], scheme) else { continue }
            var cursor = end
            while cursor < value.count, isSpaceLike(value[cursor]) { cursor += 1 }
            guard cursor < value.count else { return false }
            let first = value[cursor]
            if !ByteSearch.isAlpha(first) && first != UInt8(ascii: "_") && first != UInt8(ascii: "$") {
                return first != UInt8(ascii: ",") && first != UInt8(ascii: ".")
            }
            while cursor < value.count,
                ByteSearch.isAlpha(value[cursor]) || ByteSearch.isDigit(value[cursor])
                    || value[cursor] == UInt8(ascii: "_")
                    || value[cursor] == UInt8(ascii: "$")
            {
                cursor += 1
            }
            guard cursor < value.count else { return false }
            let after = value[cursor]
            return after == UInt8(ascii: "(") || after == UInt8(ascii: ".") || after == UInt8(ascii: "[")
                || after == UInt8(ascii: "=") || after == UInt8(ascii: "`") || after == UInt8(ascii: ";")
        }
        return false
    }

    /// Whether the value (after leading whitespace and controls, which browsers strip from URLs) starts with a
    /// script scheme. Tabs and newlines inside the scheme are ignored too (`jav&#x09;ascript:`).
    static func startsWithScriptURL(_ value: ArraySlice<UInt8>, schemes: [[UInt8]] = XSSLexicon.scriptSchemes) -> Bool {
        if value.contains(UInt8(ascii: "&")) {
            let decoded = decodeURLEntities(value)
            if decoded.count != value.count { return startsWithScriptURL(decoded[...], schemes: schemes) }
        }
        var start = value.startIndex
        while start < value.endIndex, value[start] <= 0x20 { start += 1 }
        for scheme in schemes where matchSchemeIgnoringControls(value[start...], scheme) != nil {
            return true
        }
        return false
    }

    /// Matches `scheme` case-insensitively at the start of `value`, skipping bytes <= 0x20 between its letters;
    /// returns the index after the match.
    private static func matchSchemeIgnoringControls(_ value: ArraySlice<UInt8>, _ scheme: [UInt8]) -> Int? {
        var cursor = value.startIndex
        for (position, expected) in scheme.enumerated() {
            if position > 0 { while cursor < value.endIndex, value[cursor] <= 0x20 { cursor += 1 } }
            guard cursor < value.endIndex, ByteSearch.lower(value[cursor]) == expected else { return nil }
            cursor += 1
        }
        return cursor
    }

    // MARK: - Helpers

    /// HTML5 named character references browsers decode inside URL attributes that `t:htmlEntityDecode` (which
    /// knows only ModSecurity's five) leaves alone: `&colon;`, `&tab;`, `&newline;`.
    private static func decodeURLEntities(_ value: ArraySlice<UInt8>) -> [UInt8] {
        let entities: [([UInt8], UInt8)] = [
            (Array("&colon;".utf8), UInt8(ascii: ":")), (Array("&tab;".utf8), 0x09), (Array("&newline;".utf8), 0x0A),
        ]
        var output: [UInt8] = []
        output.reserveCapacity(value.count)
        var index = value.startIndex
        outer: while index < value.endIndex {
            if value[index] == UInt8(ascii: "&") {
                for (name, byte) in entities where index + name.count <= value.endIndex {
                    if value[index..<(index + name.count)].map(ByteSearch.lower).elementsEqual(name) {
                        output.append(byte)
                        index += name.count
                        continue outer
                    }
                }
            }
            output.append(value[index])
            index += 1
        }
        return output
    }

    private static func isHandlerName(_ name: [UInt8], strict: Bool) -> Bool {
        if strict { return XSSLexicon.eventHandlers.contains(name) }
        // Inside a tag: `on` and at least three letters (`onload`, `onbeforehellfreezes`, `onload!#$%`).
        guard name.count > 4, name[0] == UInt8(ascii: "o"), name[1] == UInt8(ascii: "n") else { return false }
        return name[2...].prefix(3).allSatisfy(ByteSearch.isAlpha)
    }

    private static func containsAny(_ value: ArraySlice<UInt8>, _ needles: [[UInt8]]) -> Bool {
        let lowered = value.map(ByteSearch.lower).filter { $0 > 0x20 }
        return needles.contains { needle in
            ByteSearch.firstIndex(of: needle.filter { $0 > 0x20 }, in: lowered) != nil
        }
    }

    @inline(__always)
    private static func isNameByte(_ byte: UInt8) -> Bool {
        ByteSearch.isAlpha(byte) || ByteSearch.isDigit(byte) || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: "_")
    }

    @inline(__always)
    private static func isSpaceLike(_ byte: UInt8) -> Bool { ByteSearch.isSpace(byte) || byte == 0 }
}
