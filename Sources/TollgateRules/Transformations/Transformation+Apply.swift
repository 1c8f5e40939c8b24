// STUB: replaced by the operators/transformations work (branch ops). Do not edit on other branches.
extension Transformation {
    /// Applies this transformation to `input` and returns the result.
    package func apply(_ input: [UInt8]) -> [UInt8] { input }
}
