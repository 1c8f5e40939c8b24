/// An operator argument that may contain `%{...}` macros, resolved per evaluation only when it has them.
struct OperatorArgument: Sendable {
    /// The argument bytes (used as-is when `hasMacros` is false).
    let literal: [UInt8]
    /// The argument text, kept for macro expansion.
    let text: String
    /// True when the argument contains `%{`, so it must be expanded at evaluate time.
    let hasMacros: Bool
    /// The macros parsed at load (nil without macros, or when they do not parse: then `text` is expanded).
    let macro: MacroString?

    init(_ text: String) {
        self.text = text
        self.literal = Array(text.utf8)
        self.hasMacros = literal.containsMacro
        self.macro = hasMacros ? try? MacroString(parsing: text) : nil
    }

    /// `body` applied to the argument for this evaluation; without macros, to the stored literal itself (no copy
    /// and no reference count: the common case, which `resolve` pays for on every value).
    @inline(__always)
    func withResolved<Result>(_ context: OperatorContext, _ body: ([UInt8]) -> Result) -> Result {
        hasMacros ? body(resolve(context)) : body(literal)
    }

    /// The argument for this evaluation: the literal, or the engine's expansion of its macros.
    @inline(__always)
    func resolve(_ context: OperatorContext) -> [UInt8] {
        guard hasMacros else { return literal }
        if let macro, let expand = context.expandParsedMacro { return expand(macro) }
        if let expand = context.expandMacros { return expand(text) }
        return literal.removingMacros()
    }
}

extension [UInt8] {
    /// True when the bytes contain a `%{` macro opener.
    var containsMacro: Bool {
        guard count >= 2 else { return false }
        for index in 0..<(count - 1) where self[index] == UInt8(ascii: "%") && self[index + 1] == UInt8(ascii: "{") {
            return true
        }
        return false
    }

    /// The bytes with every complete `%{...}` removed (what macros expand to when none are available).
    func removingMacros() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(count)
        var index = 0
        while index < count {
            if self[index] == UInt8(ascii: "%"), index + 1 < count, self[index + 1] == UInt8(ascii: "{"),
                let close = self[(index + 2)...].firstIndex(of: UInt8(ascii: "}"))
            {
                index = close + 1
                continue
            }
            output.append(self[index])
            index += 1
        }
        return output
    }
}
