/// One problem found in a configuration file.
///
/// Validation never stops at the first problem: every issue found is collected so that
/// `tollgate check` can list them all at once.
public struct ConfigurationIssue: Sendable, Equatable, CustomStringConvertible {
    /// Stable kinds of problems (tests and tooling match on these).
    public enum Code: String, Sendable, Equatable, CaseIterable {
        /// The file could not be read.
        case fileUnreadable = "file_unreadable"
        /// The text is not valid YAML (or has a duplicated key).
        case yamlSyntax = "yaml_syntax"
        /// A key that Tollgate does not know (usually a typo).
        case unknownKey = "unknown_key"
        /// A required key is absent.
        case missingKey = "missing_key"
        /// The value has the wrong YAML type (e.g. a list where a number belongs).
        case typeMismatch = "type_mismatch"
        /// The value has the right type but is not acceptable (syntax, enum member, path).
        case invalidValue = "invalid_value"
        /// A number outside its allowed range (zero or negative limits, ports above 65535).
        case outOfRange = "out_of_range"
        /// `listen:` / `admin_listen:` is not `host:port`.
        case invalidAddress = "invalid_address"
        /// `upstream:` is not `http://host:port[/path]`.
        case invalidUpstream = "invalid_upstream"
        /// An `https://` upstream (TLS comes in a later release).
        case unsupportedScheme = "unsupported_scheme"
        /// A `route:` that does not start with `/` or has forbidden characters.
        case invalidRoute = "invalid_route"
        /// Two functions with the same name.
        case duplicateName = "duplicate_name"
        /// Two functions that claim the same route (for overlapping hosts).
        case duplicateRoute = "duplicate_route"
        /// A per-function override names a function that is not declared.
        case unknownFunction = "unknown_function"
        /// A referenced file or directory does not exist.
        case fileNotFound = "file_not_found"
        /// Two settings that cannot be used together (e.g. the same address twice).
        case conflict = "conflict"
    }

    /// What kind of problem this is.
    public var code: Code
    /// Where in the document, e.g. `functions[1].upstream` ("" for the whole document).
    public var keyPath: String
    /// The configuration file ("<inline>" when parsed from a string).
    public var file: String
    /// 1-based line of the offending node, when the YAML parser reported one.
    public var line: Int?
    /// 1-based column of the offending node, when known.
    public var column: Int?
    /// What is wrong, and what would be right.
    public var message: String

    public init(code: Code, keyPath: String, file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.code = code
        self.keyPath = keyPath
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:column: key.path: message`, the format compilers use so editors can jump to it.
    public var description: String {
        var location = file
        if let line {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        let path = keyPath.isEmpty ? "" : "\(keyPath): "
        return "\(location): \(path)\(message)"
    }
}

/// Thrown by ``TollgateConfiguration/load(path:)`` and ``TollgateConfiguration/parse(yaml:sourceFile:)``
/// with every problem found (never only the first).
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// All problems, in document order.
    public var issues: [ConfigurationIssue]

    public init(issues: [ConfigurationIssue]) {
        self.issues = issues
    }

    /// The codes of all issues, for tests.
    public var codes: [ConfigurationIssue.Code] { issues.map(\.code) }

    public var description: String {
        let count = issues.count == 1 ? "1 error" : "\(issues.count) errors"
        return "invalid configuration (\(count)):\n" + issues.map { "  \($0)" }.joined(separator: "\n")
    }
}
