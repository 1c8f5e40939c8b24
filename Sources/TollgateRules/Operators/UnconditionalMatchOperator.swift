/// `@unconditionalMatch`: always matches.
struct UnconditionalMatchOperator: RuleOperator {
    func evaluate(_ input: [UInt8], context: inout OperatorContext) -> OperatorResult { .match }
}
