/// Tollgate's XSS detector. (Checkpoint stub.)
enum XSSDetector {
    static func detect(_ input: [UInt8]) -> Bool { false }
}
