/// A string with `%{VAR}` / `%{COLLECTION.key}` references, split at load time.
package struct MacroString: Sendable {
    package enum Segment: Sendable {
        case literal([UInt8])
        /// `key` is stored as written and, for case-insensitive collections, lowercased (`lookupKey`);
        /// `lookupHash` is `KeyedStore.hash(lookupKey)` (0 without a key), computed once at load.
        case reference(Variable, key: String?, lookupKey: [UInt8]?, lookupHash: UInt64)
    }
    package var segments: [Segment]
    package var text: String

    /// True when there is nothing to expand (set at parse).
    package private(set) var isConstant = true
    /// The bytes of the literal segments (an expansion's size without its references).
    package var literalByteCount: Int {
        segments.reduce(0) { sum, segment in
            if case .literal(let bytes) = segment { return sum + bytes.count }
            return sum
        }
    }

    package init(parsing text: String) throws(MacroError) {
        self.text = text
        var segments: [Segment] = []
        var literal: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "{"),
                let close = bytes[(i + 2)...].firstIndex(of: UInt8(ascii: "}"))
            {
                let inner = String(decoding: bytes[(i + 2)..<close], as: UTF8.self)
                let name: String
                let key: String?
                if let dot = inner.firstIndex(where: { $0 == "." || $0 == ":" }) {
                    name = String(inner[..<dot])
                    key = String(inner[inner.index(after: dot)...])
                } else {
                    name = inner
                    key = nil
                }
                guard let variable = Variable(name: name) else { throw MacroError(reference: inner) }
                if !literal.isEmpty {
                    segments.append(.literal(literal))
                    literal = []
                }
                let lookup = key.map { k in
                    variable.caseInsensitiveKeys ? Array(k.utf8).asciiLowercased() : Array(k.utf8)
                }
                segments.append(
                    .reference(variable, key: key, lookupKey: lookup, lookupHash: lookup.map(KeyedStore.hash) ?? 0))
                i = close + 1
                continue
            }
            literal.append(bytes[i])
            i += 1
        }
        if !literal.isEmpty { segments.append(.literal(literal)) }
        self.segments = segments
        self.isConstant = segments.allSatisfy { if case .literal = $0 { return true } else { return false } }
    }
}

package struct MacroError: Error, Sendable {
    package var reference: String
}
