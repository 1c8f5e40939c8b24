/// `@beginsWith`: the value starts with the (macro-expanded) argument. An empty argument matches.
struct BeginsWithOperator: RuleOperator {
    let argument: OperatorArgument

    func evaluate(_ input: [UInt8], context: inout OperatorContext) -> OperatorResult {
        argument.withResolved(context) { ByteSearch.hasPrefix(input, $0) } ? .match : .noMatch
    }
}
