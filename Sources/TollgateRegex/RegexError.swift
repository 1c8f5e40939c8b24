/// A pattern PCRE2 refused to compile.
public struct RegexCompileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// PCRE2's error code (stable across releases of PCRE2 10.x).
    public var code: Int32
    /// PCRE2's message for `code`.
    public var message: String
    /// Byte offset in the pattern where the error was detected.
    public var offset: Int
    /// The pattern as given.
    public var pattern: String

    public init(code: Int32, message: String, offset: Int, pattern: String) {
        self.code = code
        self.message = message
        self.offset = offset
        self.pattern = pattern
    }

    public var description: String { "regex error at offset \(offset): \(message) (pattern: \(pattern))" }

    public static func == (lhs: RegexCompileError, rhs: RegexCompileError) -> Bool {
        lhs.code == rhs.code && lhs.offset == rhs.offset
    }
}

/// Why a match could not be decided.
public struct RegexMatchError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// `RegexLimits.matchLimit` was exceeded.
        case matchLimit
        /// `RegexLimits.depthLimit` was exceeded (interpreter only).
        case depthLimit
        /// PCRE2's heap limit was exceeded (interpreter only).
        case heapLimit
        /// Any other PCRE2 error; `pcre2Code` has the detail.
        case other
    }

    public var code: Code
    /// The raw PCRE2 return code.
    public var pcre2Code: Int32

    public init(code: Code, pcre2Code: Int32) {
        self.code = code
        self.pcre2Code = pcre2Code
    }

    public var description: String { "\(code.rawValue) (pcre2 \(pcre2Code))" }
}
