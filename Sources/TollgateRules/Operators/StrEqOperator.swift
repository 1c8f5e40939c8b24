/// `@streq`: the value equals the (macro-expanded) argument exactly, byte for byte.
struct StrEqOperator: RuleOperator {
    let argument: OperatorArgument

    func evaluate(_ input: [UInt8], context: inout OperatorContext) -> OperatorResult {
        argument.withResolved(context) { $0 == input } ? .match : .noMatch
    }
}
