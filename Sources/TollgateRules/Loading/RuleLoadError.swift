/// An error loading a SecLang ruleset: names the file, the line and the problem.
///
/// `code` is the stable kind (assert on it in tests); `file` and `line` locate the directive.
public struct RuleLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stable kind of problem.
    public enum Code: String, Sendable, Equatable {
        case unreadableFile
        case syntax
        case unknownDirective
        case unknownVariable
        case unknownOperator
        case invalidOperator
        case unknownAction
        case invalidAction
        case unknownTransformation
        case includeCycle
        case duplicateRuleID
        case missingRuleID
        case unknownRuleID
        case chainWithoutRule
        case invalidValue
    }

    public var code: Code
    /// The file the problem is in ("<inline>" for strings).
    public var file: String
    /// 1-based line number of the directive's first line (0 when not tied to a line).
    public var line: Int
    public var message: String

    public init(_ code: Code, file: String, line: Int, _ message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { "\(file):\(line): \(message) [\(code.rawValue)]" }
}
