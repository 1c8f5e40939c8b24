@testable import TollgateLimiter

extension Limiter {
    /// Decide with a string key (tests only).
    func decide(_ function: FunctionID, _ client: String, _ clock: ManualClock) -> LimitDecision {
        decide(function: function, clientKey: Array(client.utf8), now: clock.nanoseconds())
    }
}

let ms = Nanoseconds.perMillisecond
let sec = Nanoseconds.perSecond
