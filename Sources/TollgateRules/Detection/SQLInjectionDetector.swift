/// Tollgate's SQL injection detector. (Checkpoint stub, replaced below.)
enum SQLInjectionDetector {
    static func detect(_ input: [UInt8]) -> [UInt8]? { nil }
}
