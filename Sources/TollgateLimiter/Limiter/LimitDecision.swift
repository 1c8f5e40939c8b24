/// Which limit refused (or, in shadow mode, would have refused) a request. `rawValue` is the stable code
/// used in the 429 JSON body and in logs.
public enum LimitKind: String, Sendable, Equatable, CaseIterable {
    case clientRate = "client_rate"
    case functionRate = "function_rate"
    case functionConcurrency = "function_concurrency"
    case clientConcurrency = "client_concurrency"
    case clientBudget = "client_budget"
    case functionBudget = "function_budget"

    /// The family of limit, for the `error` member of the 429 body.
    public var errorCode: String {
        switch self {
        case .clientRate, .functionRate: "rate_limited"
        case .functionConcurrency, .clientConcurrency: "too_many_in_flight"
        case .clientBudget, .functionBudget: "budget_exhausted"
        }
    }

    var index: Int {
        switch self {
        case .clientRate: 0
        case .functionRate: 1
        case .functionConcurrency: 2
        case .clientConcurrency: 3
        case .clientBudget: 4
        case .functionBudget: 5
        }
    }
}

/// A limiter's answer for one request: a value the proxy acts on.
public enum LimitDecision: Sendable, Equatable {
    /// Forward the request; settle the admission with `Limiter.complete` when the response ends.
    case allow(Admission)
    /// Answer 429 (see `Rejection.headers` and `Rejection.jsonBody`).
    case reject(Rejection)

    public var isAllowed: Bool {
        if case .allow = self { return true }
        return false
    }

    public var admission: Admission? {
        if case .allow(let a) = self { return a }
        return nil
    }

    public var rejection: Rejection? {
        if case .reject(let r) = self { return r }
        return nil
    }
}

/// An in-flight slot and cost reservation held by one admitted request. Copyable so it can travel
/// through callbacks; `Limiter.complete` releases it exactly once and reports a second release.
public struct Permit: Sendable, Hashable {
    /// 0 for shadow admissions that hold nothing.
    public let id: UInt64
    public let function: FunctionID
}

/// What an admitted request carries until it completes.
public struct Admission: Sendable, Equatable {
    public let permit: Permit
    /// The cost reserved before forwarding (released and replaced by the measured cost on completion).
    public let reserved: Cost
    /// Admission time (limiter clock, ns); the default upstream duration is `now − startedAt`.
    public let startedAt: UInt64
    /// Values for the `RateLimit-Policy` and `RateLimit` response fields.
    public let headers: RateLimitHeaders
    /// What the client may still spend in its budget window after this reservation; nil without one.
    public let clientBudgetRemaining: BudgetRemaining?
    /// Shadow mode only: the limit that would have refused (or degraded) this request.
    public let shadowRejection: LimitKind?
    /// Set when a budget with `degradeTo` ran out: forward to this upstream instead. Degraded
    /// admissions hold rate and concurrency like any other but charge nothing to the budgets.
    public let degradedTo: Degradation?
}

/// A budget ran out and its `degradeTo` upstream should serve the request.
public struct Degradation: Sendable, Equatable {
    /// `.clientBudget` or `.functionBudget`.
    public let kind: LimitKind
    /// The configured upstream name.
    public let upstream: String
}

/// Remaining budget in each configured unit (nil for a unit without a limit).
public struct BudgetRemaining: Sendable, Equatable {
    public var dollars: Double?
    public var gbSeconds: Double?
}

/// A refused request.
public struct Rejection: Sendable, Equatable {
    public let kind: LimitKind
    /// Nanoseconds after which the same request could be admitted (a hint for concurrency limits).
    public let retryAfter: UInt64
    public let function: String
    public let headers: RateLimitHeaders
    /// Budget left in the window of the refusing budget; nil for non-budget refusals.
    public let budgetRemaining: BudgetRemaining?
    let customMessage: String?

    init(
        kind: LimitKind, retryAfter: UInt64, function: String, headers: RateLimitHeaders,
        budgetRemaining: BudgetRemaining?, message: String?
    ) {
        self.kind = kind
        self.retryAfter = retryAfter
        self.function = function
        self.headers = headers
        self.budgetRemaining = budgetRemaining
        self.customMessage = message
    }

    /// One human-readable sentence for logs and the response body (rendered on access).
    public var message: String { customMessage ?? Limiter.message(kind, function: function) }

    /// `Retry-After` value: whole seconds, at least 1.
    public var retryAfterSeconds: UInt64 { max(1, Nanoseconds.secondsRoundedUp(retryAfter)) }

    /// The 429 body, e.g.
    /// `{"error":"rate_limited","limit":"client_rate","function":"...","retry_after":2,"message":"..."}`;
    /// `error` is `rate_limited`, `too_many_in_flight` or `budget_exhausted`.
    public var jsonBody: String {
        "{\"error\":\"\(kind.errorCode)\",\"limit\":\"\(kind.rawValue)\",\"function\":\(JSONText.quoted(function))"
            + ",\"retry_after\":\(retryAfterSeconds),\"message\":\(JSONText.quoted(message))}"
    }
}

/// The outcome of an admitted request, for `Limiter.complete`.
public enum CompletionOutcome: Sendable, Equatable, CaseIterable {
    /// The upstream answered.
    case success
    /// The upstream failed (connection error, 5xx); it still cost what it ran.
    case error
    /// The upstream did not answer in time.
    case timeout
    /// The client went away; the upstream may still have run.
    case clientAbort
    /// The request was refused later (e.g. by a rule) and never forwarded: nothing is charged.
    case notForwarded
}

/// What `Limiter.complete` did.
public enum ReleaseResult: Sendable, Equatable {
    /// The permit was released and the cost settled.
    case released(charged: Cost)
    /// This permit was already released (or expired): nothing changed; counted in `doubleReleases`.
    case alreadyReleased
    /// A shadow admission that held nothing.
    case shadow
}

enum JSONText {
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
