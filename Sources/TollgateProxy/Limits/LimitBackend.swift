import TollgateLimiter

/// Where limit decisions are made: this process only (`LocalLimitBackend`) or a shared Redis store
/// (`RedisLimitBackend`). The request path calls it on its worker queue.
///
/// Contract: `admit` calls `completion` exactly once, on the calling (worker) queue, within the store
/// timeout (synchronously for the local backend); every `.allow` ticket must be passed to `complete`
/// exactly once on every exit path (success, error, timeout, client abort, refused later).
protocol LimitBackend: AnyObject {
    /// Decides one request of `function` (its configured name) from `clientKey` (`ClientKey.bytes`).
    /// - Parameter now: the limiter clock (monotonic nanoseconds, `SystemClock`).
    func admit(function: String, clientKey: [UInt8], now: UInt64, completion: @escaping (LimitVerdict) -> Void)

    /// Releases the ticket's permit and settles its cost with the measured upstream duration
    /// (`nil`: `now − admission.startedAt`). Fire-and-forget for the Redis backend.
    func complete(_ ticket: LimitTicket, outcome: CompletionOutcome, upstreamNanoseconds: UInt64?, now: UInt64)
}

/// What the request path does with a request.
enum LimitVerdict: Sendable {
    /// Forward it (or to `ticket.admission.degradedTo`); add `ticket.admission.headers.fields` to the
    /// response; pass the ticket to `LimitBackend.complete` when the exchange ends.
    case allow(LimitTicket)
    /// Answer 429 with `rejection.headers.fields` and `rejection.jsonBody`.
    case reject(Rejection)
    /// The shared store is unavailable and `store_failure: closed`: answer 503 with
    /// `StoreUnavailable.jsonBody` and `Retry-After`.
    case unavailable(StoreUnavailable)

    /// The same verdict as a `LimitDecision` when it is one (nil for `.unavailable`).
    var decision: LimitDecision? {
        switch self {
        case .allow(let ticket): .allow(ticket.admission)
        case .reject(let rejection): .reject(rejection)
        case .unavailable: nil
        }
    }
}

/// An admitted request's permit, with where it was issued (so it is settled there).
struct LimitTicket: Sendable {
    enum Origin: Sendable {
        /// Issued by the local `Limiter`.
        case local
        /// Issued by the Redis store; settled there.
        case store(StorePermit)
        /// Holds nothing (a shadow-mode admission decided by the store).
        case nothing
    }
    let admission: Admission
    let origin: Origin
}

/// What settling a store permit needs (the store keeps no per-permit record besides its id).
struct StorePermit: Sendable {
    let function: String
    let functionID: FunctionID
    let clientKey: [UInt8]
    let id: [UInt8]
    /// Store clock (µs) at admission: finds the budget sub-bucket the reservation went to.
    let admittedAtMicroseconds: UInt64
}

/// A 503 answer when the shared store cannot be reached and the configured failure mode is `closed`.
struct StoreUnavailable: Sendable, Equatable {
    static let status = 503
    /// Seconds for `Retry-After` (the store's reconnect backoff cap, at least 1).
    let retryAfterSeconds: UInt64
    let function: String

    var jsonBody: String {
        "{\"error\":\"store_unavailable\",\"function\":\"\(function.filter { $0 != "\"" && $0 != "\\" })\""
            + ",\"retry_after\":\(retryAfterSeconds),\"message\":\"The rate-limit store is unavailable.\"}"
    }
}

/// The local limiter as a backend: decisions are synchronous and per process.
final class LocalLimitBackend: LimitBackend, Sendable {
    let limiter: Limiter

    init(limiter: Limiter) { self.limiter = limiter }

    func admit(function: String, clientKey: [UInt8], now: UInt64, completion: @escaping (LimitVerdict) -> Void) {
        completion(decide(function: function, clientKey: clientKey, now: now))
    }

    /// The synchronous decision (what `admit` passes to its completion).
    func decide(function: String, clientKey: [UInt8], now: UInt64) -> LimitVerdict {
        switch limiter.decide(function: limiter.function(named: function), clientKey: clientKey, now: now) {
        case .allow(let admission): .allow(LimitTicket(admission: admission, origin: .local))
        case .reject(let rejection): .reject(rejection)
        }
    }

    func complete(_ ticket: LimitTicket, outcome: CompletionOutcome, upstreamNanoseconds: UInt64?, now: UInt64) {
        guard case .local = ticket.origin else { return }
        _ = limiter.complete(ticket.admission, outcome: outcome, upstreamNanoseconds: upstreamNanoseconds, now: now)
    }
}
