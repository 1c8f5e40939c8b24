/// `@contains` (and `@strmatch`): the value contains the (macro-expanded) argument, case-sensitively.
/// An empty argument matches.
struct ContainsOperator: RuleOperator {
    let argument: OperatorArgument

    func evaluate(_ input: [UInt8], context: inout OperatorContext) -> OperatorResult {
        ByteSearch.firstIndex(of: argument.resolve(context), in: input) != nil ? .match : .noMatch
    }
}
