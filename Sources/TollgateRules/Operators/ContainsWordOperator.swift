/// `@containsWord`: the value contains the argument delimited by non-word bytes (or the value's ends).
/// Word bytes are ASCII letters, digits and `_`. An empty argument matches.
struct ContainsWordOperator: RuleOperator {
    let argument: OperatorArgument

    func evaluate(_ input: [UInt8], context: inout OperatorContext) -> OperatorResult {
        let word = argument.resolve(context)
        if word.isEmpty { return .match }
        var start = 0
        while let found = ByteSearch.firstIndex(of: word, in: input, from: start) {
            let end = found + word.count
            let leftOK = found == 0 || !Self.isWordByte(input[found - 1])
            let rightOK = end == input.count || !Self.isWordByte(input[end])
            if leftOK && rightOK { return .match }
            start = found + 1
        }
        return .noMatch
    }

    @inline(__always)
    static func isWordByte(_ byte: UInt8) -> Bool {
        ByteSearch.isAlpha(byte) || ByteSearch.isDigit(byte) || byte == UInt8(ascii: "_")
    }
}
