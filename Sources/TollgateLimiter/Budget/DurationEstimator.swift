/// How the expected cost of an invocation is predicted before it is forwarded.
public enum ReservationPolicy: Sendable, Equatable {
    /// Reserve the exponentially weighted moving average of the function's recent upstream durations;
    /// `smoothing` (0 < α ≤ 1) is the weight of the newest sample. Until the first sample the
    /// function's timeout is used.
    case movingAverage(smoothing: Double)
    /// Always reserve the function's timeout: the worst case; never under-reserves.
    case timeout

    /// EWMA with α = 0.2 (the last ~5 samples dominate).
    public static let `default` = ReservationPolicy.movingAverage(smoothing: 0.2)
}

/// EWMA of durations in nanoseconds.
struct DurationEstimator: Sendable {
    private(set) var average: Double?
    let smoothing: Double

    init(smoothing: Double) { self.smoothing = smoothing }

    mutating func record(_ nanoseconds: UInt64) {
        let sample = Double(nanoseconds)
        if let current = average {
            average = current + smoothing * (sample - current)
        } else {
            average = sample
        }
    }

    func expected(fallback: UInt64) -> UInt64 {
        guard let average else { return fallback }
        return UInt64(average.rounded(.up))
    }
}
