/// `@detectXSS`: Tollgate's own cross-site scripting detector (`XSSDetector`).
struct DetectXSSOperator: RuleOperator {
    func evaluate(_ input: [UInt8], context: inout OperatorContext) -> OperatorResult {
        XSSDetector.detect(input) ? .match : .noMatch
    }
}
