/// Builds compiled operators from SecLang operator names and arguments (load time only).
package enum OperatorFactory {
    /// The operator names `make` accepts (lowercased; `pmf` and `ipMatchF` are ModSecurity's short aliases).
    package static let supportedNames: Set<String> = [
        "rx", "pm", "pmfromfile", "pmf", "streq", "eq", "ge", "gt", "le", "lt", "within", "beginswith",
        "endswith", "contains", "containsword", "strmatch", "ipmatch", "ipmatchfromfile", "ipmatchf",
        "validatebyterange", "validateurlencoding", "validateutf8encoding", "unconditionalmatch", "nomatch",
        "detectsqli", "detectxss",
    ]

    /// Builds an operator from its SecLang name (without `@` and `!`, e.g. "rx") and argument text.
    /// Names are matched case-insensitively.
    /// - Parameter baseDirectory: the directory of the rule file, for relative `@pmFromFile` paths.
    /// - Throws: `OperatorLoadError` for an unknown or unsupported operator (rulesets fail closed), an invalid
    ///   argument (bad regex, bad range, bad address) or an unreadable data file (the message names the path).
    package static func make(name: String, argument: String, baseDirectory: String) throws -> any RuleOperator {
        try build(name: name, argument: argument, baseDirectory: baseDirectory)
    }

    private static func build(name: String, argument: String, baseDirectory: String) throws(OperatorLoadError)
        -> any RuleOperator
    {
        var key = name.lowercased()
        if key.hasPrefix("@") { key.removeFirst() }
        switch key {
        case "rx":
            if Array(argument.utf8).containsMacro { return MacroRxOperator(pattern: argument) }
            return try RxOperator(pattern: argument)
        case "pm":
            return PmOperator(phrases: try PmOperator.parsePhrases(argument))
        case "pmfromfile", "pmf":
            let phrases = try DataFileLoader.phrases(
                argument: argument, baseDirectory: baseDirectory, operatorName: "pmFromFile")
            return PmOperator(phrases: phrases)
        case "streq": return StrEqOperator(argument: OperatorArgument(argument))
        case "eq": return NumericCompareOperator(.eq, argument: argument)
        case "ge": return NumericCompareOperator(.ge, argument: argument)
        case "gt": return NumericCompareOperator(.gt, argument: argument)
        case "le": return NumericCompareOperator(.le, argument: argument)
        case "lt": return NumericCompareOperator(.lt, argument: argument)
        case "within": return WithinOperator(argument: OperatorArgument(argument))
        case "beginswith": return BeginsWithOperator(argument: OperatorArgument(argument))
        case "endswith": return EndsWithOperator(argument: OperatorArgument(argument))
        case "contains", "strmatch": return ContainsOperator(argument: OperatorArgument(argument))
        case "containsword": return ContainsWordOperator(argument: OperatorArgument(argument))
        case "ipmatch": return try IPMatchOperator(list: argument)
        case "ipmatchfromfile", "ipmatchf":
            let items = try DataFileLoader.phrases(
                argument: argument, baseDirectory: baseDirectory, operatorName: "ipMatchFromFile")
            return try IPMatchOperator(items: items, operatorName: "ipMatchFromFile")
        case "validatebyterange": return try ValidateByteRangeOperator(argument: argument)
        case "validateurlencoding": return ValidateUrlEncodingOperator()
        case "validateutf8encoding": return ValidateUtf8EncodingOperator()
        case "unconditionalmatch": return UnconditionalMatchOperator()
        case "nomatch": return NoMatchOperator()
        case "detectsqli": return DetectSQLiOperator()
        case "detectxss": return DetectXSSOperator()
        default:
            throw OperatorLoadError("operator @\(name) is not supported")
        }
    }
}
