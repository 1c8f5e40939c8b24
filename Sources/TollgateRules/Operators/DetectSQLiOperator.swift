/// `@detectSQLi`: Tollgate's own SQL injection detector (`SQLInjectionDetector`). With `capture`, the matched
/// token fingerprint is stored as capture 0 (ModSecurity stores libinjection's fingerprint there).
struct DetectSQLiOperator: RuleOperator {
    func evaluate(_ input: [UInt8], context: inout OperatorContext) -> OperatorResult {
        guard let fingerprint = SQLInjectionDetector.detect(input) else { return .noMatch }
        if context.captureRequested { context.captures = [fingerprint] }
        return .match
    }
}
