/// A limits configuration that cannot be enforced. `code` is stable; `message` says what and where.
public struct LimiterConfigurationError: Error, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        case invalidRate = "invalid_rate"
        case invalidBurst = "invalid_burst"
        case invalidConcurrency = "invalid_concurrency"
        case invalidBudget = "invalid_budget"
        case invalidPrice = "invalid_price"
        case invalidMemory = "invalid_memory"
        case invalidTimeout = "invalid_timeout"
        case invalidMaxKeys = "invalid_max_keys"
        case invalidSmoothing = "invalid_smoothing"
        case tooManyFunctions = "too_many_functions"
    }

    public let code: Code
    public var message: String
    /// The function whose limits are wrong; nil for the defaults or table-wide settings.
    public var function: String?

    public init(_ code: Code, _ message: String, function: String? = nil) {
        self.code = code
        self.message = message
        self.function = function
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code && lhs.function == rhs.function }

    public var description: String {
        "\(code.rawValue): \(message)" + (function.map { " (function \($0))" } ?? "")
    }
}
