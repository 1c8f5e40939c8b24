/// Why a body processor stopped. Limit overflows are explicit errors, never silent truncation.
struct BodyProcessorError: Error {
    enum Code: String {
        case syntax
        case depthLimit
        case argumentsLimit
        case fileLimit
    }
    var code: Code
    var message: String
    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    var isLimit: Bool { code != .syntax }
}

/// Limits a body processor enforces.
struct BodyLimits {
    /// Most arguments produced (`SecArgumentsLimit`).
    var arguments: Int
    /// Deepest nesting (`SecRequestBodyJsonDepthLimit`, also used for XML).
    var depth: Int
    /// Most file parts (`SecUploadFileLimit`).
    var files: Int
}
