/// `@endsWith`: the value ends with the (macro-expanded) argument. An empty argument matches.
struct EndsWithOperator: RuleOperator {
    let argument: OperatorArgument

    func evaluate(_ input: [UInt8], context: inout OperatorContext) -> OperatorResult {
        argument.withResolved(context) { ByteSearch.hasSuffix(input, $0) } ? .match : .noMatch
    }
}
