// STUB: replaced by the operators/transformations work (branch ops). Do not edit on other branches.
package enum OperatorFactory {
    /// Builds an operator from its SecLang name (without `@` and `!`, e.g. "rx") and argument text.
    /// - Parameter baseDirectory: the directory of the rule file, for relative `@pmFromFile` paths.
    /// - Throws: `OperatorLoadError` for an unknown operator, an invalid argument or an unreadable file.
    package static func make(name: String, argument: String, baseDirectory: String) throws -> any RuleOperator {
        throw OperatorLoadError("operator @\(name) is not implemented")
    }
}
