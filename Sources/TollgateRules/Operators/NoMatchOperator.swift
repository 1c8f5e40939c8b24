/// `@noMatch`: never matches.
struct NoMatchOperator: RuleOperator {
    func evaluate(_ input: [UInt8], context: inout OperatorContext) -> OperatorResult { .noMatch }
}
