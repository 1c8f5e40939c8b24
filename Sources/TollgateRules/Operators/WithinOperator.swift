/// `@within`: the value occurs as a substring of the (macro-expanded) argument.
///
/// ModSecurity does a plain substring search of the value in the argument (CRS therefore wraps list entries in
/// `|...|` or separates them with spaces); an empty value matches, as in libmodsecurity.
struct WithinOperator: RuleOperator {
    let argument: OperatorArgument

    func evaluate(_ input: [UInt8], context: inout OperatorContext) -> OperatorResult {
        if input.isEmpty { return .match }
        return argument.withResolved(context) { ByteSearch.firstIndex(of: input, in: $0) != nil } ? .match : .noMatch
    }
}
