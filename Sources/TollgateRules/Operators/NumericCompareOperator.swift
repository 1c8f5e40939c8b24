/// `@eq`, `@ge`, `@gt`, `@le`, `@lt`: integer comparison of the value with the (macro-expanded) argument.
///
/// Both sides are read like C `atoll`: leading whitespace and sign, then digits; a non-numeric side is 0, as in
/// ModSecurity (so `@eq 0` matches a non-numeric value).
struct NumericCompareOperator: RuleOperator {
    enum Comparison: String, Sendable {
        case eq, ge, gt, le, lt

        /// Whether `left <op> right` holds.
        @inline(__always)
        func holds(_ left: Int64, _ right: Int64) -> Bool {
            switch self {
            case .eq: left == right
            case .ge: left >= right
            case .gt: left > right
            case .le: left <= right
            case .lt: left < right
            }
        }
    }

    let comparison: Comparison
    let argument: OperatorArgument
    /// The argument parsed once at load when it has no macros.
    let constant: Int64

    init(_ comparison: Comparison, argument: String) {
        self.comparison = comparison
        self.argument = OperatorArgument(argument)
        self.constant = ByteSearch.parseInteger(self.argument.literal)
    }

    func evaluate(_ input: [UInt8], context: inout OperatorContext) -> OperatorResult {
        let right = argument.hasMacros ? ByteSearch.parseInteger(argument.resolve(context)) : constant
        return comparison.holds(ByteSearch.parseInteger(input), right) ? .match : .noMatch
    }
}
