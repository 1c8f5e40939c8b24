@testable import TollgateLimiter

extension Limiter {
    /// Decide with a string key (tests only).
    func decide(_ function: FunctionID, _ client: String, _ clock: ManualClock) -> LimitDecision {
        decide(function: function, clientKey: Array(client.utf8), now: clock.nanoseconds())
    }
}

extension Limiter {
    /// Decide and, when admitted, complete at once (a request that finished instantly).
    @discardableResult
    func decideAndComplete(_ function: FunctionID, _ client: String, _ clock: ManualClock) -> Bool {
        guard let a = decide(function, client, clock).admission else { return false }
        _ = complete(a, outcome: .success, upstreamNanoseconds: 0, now: clock.nanoseconds())
        return true
    }
}

let ms = Nanoseconds.perMillisecond
let sec = Nanoseconds.perSecond
