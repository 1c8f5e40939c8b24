/// Prices of one function invocation: a fixed price per request plus a price per GB-second.
///
/// Defaults are the published AWS Lambda x86 prices in us-east-1 (first pricing tier):
/// $0.20 per 1M requests and $0.0000166667 per GB-second (see docs/limiter.md for the source).
public struct Pricing: Sendable, Equatable {
    /// Dollars per invocation (default 0.0000002 = $0.20 per million).
    public var dollarsPerRequest: Double
    /// Dollars per GB-second of configured memory × duration (default 0.0000166667).
    public var dollarsPerGBSecond: Double

    public static let lambdaX86 = Pricing(dollarsPerRequest: 0.0000002, dollarsPerGBSecond: 0.0000166667)

    public init(dollarsPerRequest: Double, dollarsPerGBSecond: Double) {
        self.dollarsPerRequest = dollarsPerRequest
        self.dollarsPerGBSecond = dollarsPerGBSecond
    }
}

/// A cost in the two units budgets count: money and GB-seconds, as fixed-point integers so that sums
/// are exact and windows never drift.
public struct Cost: Sendable, Equatable, CustomStringConvertible {
    /// Money in picodollars (10⁻¹² $). $0.20 per 1M requests is 200,000 per request.
    public var picodollars: UInt64
    /// Compute in micro-GB-seconds (10⁻⁶ GB·s). 128 MB for 1 ms is 125.
    public var microGBSeconds: UInt64

    public static let zero = Cost(picodollars: 0, microGBSeconds: 0)

    public init(picodollars: UInt64, microGBSeconds: UInt64) {
        self.picodollars = picodollars
        self.microGBSeconds = microGBSeconds
    }

    /// The cost of one invocation that ran `durationNanoseconds` with `memoryMB` configured:
    /// `price per request + duration × memory GB × price per GB-second` (1 GB = 1024 MB, as Lambda bills).
    public init(durationNanoseconds: UInt64, memoryMB: Int, pricing: Pricing) {
        let gbSeconds = Double(durationNanoseconds) / 1e9 * Double(memoryMB) / 1024
        let dollars = pricing.dollarsPerRequest + gbSeconds * pricing.dollarsPerGBSecond
        self.picodollars = Cost.fixed(dollars * 1e12)
        self.microGBSeconds = Cost.fixed(gbSeconds * 1e6)
    }

    public var dollars: Double { Double(picodollars) / 1e12 }
    public var gbSeconds: Double { Double(microGBSeconds) / 1e6 }

    /// Rounds up (a budget is never under-charged) and saturates; values within 10⁻⁶ of an integer are
    /// taken as that integer so that binary floating-point noise does not add a unit.
    static func fixed(_ value: Double) -> UInt64 {
        guard value > 0 else { return 0 }
        if value >= 1.8e19 { return .max }
        let nearest = value.rounded()
        return UInt64(abs(value - nearest) <= 1e-6 ? nearest : value.rounded(.up))
    }

    public var description: String { "$\(dollars) / \(gbSeconds) GB-s" }
}
