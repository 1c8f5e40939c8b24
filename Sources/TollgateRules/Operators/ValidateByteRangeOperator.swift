/// `@validateByteRange`: matches when the value holds a byte outside the allowed set.
///
/// The argument is a comma-separated list of byte values and inclusive ranges, e.g. `9,10,13,32-126`.
struct ValidateByteRangeOperator: RuleOperator {
    /// `allowed[b]` is true when byte `b` is permitted.
    let allowed: [Bool]

    init(argument: String) throws(OperatorLoadError) {
        var table = [Bool](repeating: false, count: 256)
        let items = argument.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" })
        guard !items.isEmpty else { throw OperatorLoadError("@validateByteRange: empty range list") }
        for item in items {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count == 1 || bounds.count == 2,
                let low = Int(bounds[0].trimmingSpaces), let high = Int((bounds.last ?? "").trimmingSpaces),
                (0...255).contains(low), (0...255).contains(high), low <= high
            else {
                throw OperatorLoadError("@validateByteRange: invalid range '\(item)' in '\(argument)'")
            }
            for byte in low...high { table[byte] = true }
        }
        allowed = table
    }

    func evaluate(_ input: [UInt8], context: inout OperatorContext) -> OperatorResult {
        allowed.withUnsafeBufferPointer { table in
            for byte in input where !table[Int(byte)] { return .match }
            return .noMatch
        }
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var slice = self
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        return slice
    }
}
