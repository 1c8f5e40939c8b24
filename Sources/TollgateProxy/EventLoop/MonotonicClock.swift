import Dispatch

/// Milliseconds on the monotonic clock (uptime); what every deadline in the proxy is measured in.
enum MonotonicClock {
    @inline(__always)
    static func milliseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds / 1_000_000 }
}

/// A configured duration in milliseconds as a deadline offset (never traps: negative counts as 0).
@inline(__always)
func milliseconds(_ value: Int) -> UInt64 { value > 0 ? UInt64(value) : 0 }
