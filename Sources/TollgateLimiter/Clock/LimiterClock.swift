import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A source of monotonic time in nanoseconds.
///
/// The limiter never reads the time itself: every decision takes `now` as an argument, and the proxy
/// reads it from a `LimiterClock`. Tests inject a `ManualClock` and never sleep.
public protocol LimiterClock: Sendable {
    /// Nanoseconds since an arbitrary, fixed origin; never decreases.
    func nanoseconds() -> UInt64
}

/// The system's monotonic clock (`clock_gettime(CLOCK_MONOTONIC)`); unaffected by wall-clock changes.
public struct SystemClock: LimiterClock {
    public init() {}

    public func nanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }
}

/// A clock that only moves when told to; for tests and simulations.
public final class ManualClock: LimiterClock {
    private let current: Atomic<UInt64>

    /// Starts at `start` nanoseconds (default 1 s, so that "zero" is never a special case in tests).
    public init(start: UInt64 = 1_000_000_000) {
        current = Atomic(start)
    }

    public func nanoseconds() -> UInt64 { current.load(ordering: .relaxed) }

    /// Moves the clock forward by `nanoseconds`.
    public func advance(by nanoseconds: UInt64) {
        current.add(nanoseconds, ordering: .relaxed)
    }

    /// Moves the clock forward by `seconds` (fractions allowed, rounded to the nanosecond).
    public func advance(seconds: Double) {
        advance(by: Nanoseconds.from(seconds: seconds))
    }
}

/// Time constants in nanoseconds.
public enum Nanoseconds {
    public static let perSecond: UInt64 = 1_000_000_000
    public static let perMillisecond: UInt64 = 1_000_000

    /// Whole seconds, rounded up: what `Retry-After` and the RateLimit `t` parameter carry.
    public static func secondsRoundedUp(_ nanoseconds: UInt64) -> UInt64 {
        nanoseconds / perSecond + (nanoseconds % perSecond == 0 ? 0 : 1)
    }

    /// Converts seconds (≥ 0) to nanoseconds, saturating.
    public static func from(seconds: Double) -> UInt64 {
        guard seconds > 0 else { return 0 }
        let ns = seconds * 1e9
        return ns >= 1.8e19 ? UInt64.max : UInt64(ns.rounded())
    }
}
