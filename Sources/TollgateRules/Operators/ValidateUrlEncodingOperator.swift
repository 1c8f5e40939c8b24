/// `@validateUrlEncoding`: matches when the value holds an invalid URL encoding: a `%` not followed by two
/// hexadecimal digits (including a truncated `%` or `%X` at the end).
struct ValidateUrlEncodingOperator: RuleOperator {
    func evaluate(_ input: [UInt8], context: inout OperatorContext) -> OperatorResult {
        var index = 0
        let count = input.count
        while index < count {
            if input[index] == UInt8(ascii: "%") {
                guard index + 2 < count else { return .match }
                guard ByteSearch.hexValue(input[index + 1]) != nil, ByteSearch.hexValue(input[index + 2]) != nil else {
                    return .match
                }
                index += 3
            } else {
                index += 1
            }
        }
        return .noMatch
    }
}
