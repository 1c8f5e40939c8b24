import Dispatch

/// Milliseconds on the monotonic clock (uptime); what every deadline in the proxy is measured in.
enum MonotonicClock {
    @inline(__always)
    static func milliseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds / 1_000_000 }
}
