/// A string with `%{VAR}` / `%{COLLECTION.key}` references, split at load time.
package struct MacroString: Sendable {
    package enum Segment: Sendable {
        case literal([UInt8])
        case reference(Variable, key: String?)
    }
    package var segments: [Segment]
    package var text: String

    /// True when there is nothing to expand.
    package var isConstant: Bool { segments.allSatisfy { if case .literal = $0 { return true } else { return false } } }

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
                segments.append(.reference(variable, key: key))
                i = close + 1
                continue
            }
            literal.append(bytes[i])
            i += 1
        }
        if !literal.isEmpty { segments.append(.literal(literal)) }
        self.segments = segments
    }
}

package struct MacroError: Error, Sendable {
    package var reference: String
}
