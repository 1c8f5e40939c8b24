/// `@contains` (and `@strmatch`): the value contains the (macro-expanded) argument, case-sensitively.
/// An empty argument matches.
struct ContainsOperator: RuleOperator {
    let argument: OperatorArgument

    func evaluate(_ input: [UInt8], context: inout OperatorContext) -> OperatorResult {
        argument.withResolved(context) { ByteSearch.firstIndex(of: $0, in: input) != nil } ? .match : .noMatch
    }
}
