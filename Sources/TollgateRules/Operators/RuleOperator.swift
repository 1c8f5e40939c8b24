/// What an operator reports for one value.
package enum OperatorResult: Sendable, Equatable {
    case match
    case noMatch
    /// The operator could not decide (PCRE2 match or depth limit hit). The engine turns this into the
    /// configured verdict (block by default) and counts it; it is never a silent no-match.
    case error(OperatorError)
}

/// Why an operator could not decide.
package struct OperatorError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Code: String, Sendable, Equatable {
        case matchLimit
        case depthLimit
        case internalError
    }
    package var code: Code
    package var detail: String
    package init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }
    package var description: String { "\(code.rawValue): \(detail)" }
}

/// Per-evaluation state an operator may read or write. The engine makes one per rule evaluation.
package struct OperatorContext {
    /// True when the rule carries the `capture` action: `@rx` then stores groups 0...9 in `captures`.
    package var captureRequested: Bool
    /// Captured groups (index 0 is the whole match), filled by `@rx` when `captureRequested`.
    package var captures: [[UInt8]]
    /// Expands `%{...}` macros (e.g. `%{tx.allowed_methods}`) in operator arguments that contain them.
    /// Provided by the engine; `nil` means no macros are available (they expand to empty).
    package var expandMacros: ((String) -> [UInt8])?
    /// The engine's expansion of an argument's macros parsed at load (no text parsing or lookup per value);
    /// preferred over `expandMacros` when set.
    package var expandParsedMacro: ((MacroString) -> [UInt8])?

    package init(
        captureRequested: Bool = false, expandMacros: ((String) -> [UInt8])? = nil,
        expandParsedMacro: ((MacroString) -> [UInt8])? = nil
    ) {
        self.captureRequested = captureRequested
        self.captures = []
        self.expandMacros = expandMacros
        self.expandParsedMacro = expandParsedMacro
    }
}

/// A compiled SecLang operator (`@rx`, `@pm`, ...). Negation (`!@op`) is applied by the engine, not here.
package protocol RuleOperator: Sendable {
    /// Evaluates the operator on one (already transformed) value.
    func evaluate(_ input: [UInt8], context: inout OperatorContext) -> OperatorResult
}

/// An error building an operator at load time (unknown operator, bad regex, missing data file).
package struct OperatorLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    package var message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}
