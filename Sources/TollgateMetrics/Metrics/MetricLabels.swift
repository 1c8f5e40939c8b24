/// Label values used by Tollgate's metrics.
///
/// Every label is drawn from a closed set: an enum here, or a set fixed at load time (function names from
/// the configuration, rule ids from the loaded ruleset). Anything outside the set is recorded as `other`.
/// No metric is ever labelled by a client address, a client key or a request path: unbounded labels would
/// let an attacker grow the exposition without limit (a denial of wallet against the monitoring system).

/// The value recorded for anything outside a label's closed set.
public let otherLabelValue = "other"

/// What Tollgate did with a request (`action` label of `tollgate_requests_total`).
public enum RequestAction: String, Sendable, CaseIterable {
    /// Forwarded to the upstream function.
    case allowed
    /// Refused by the rule engine (a WAF verdict).
    case blocked
    /// Refused by a rate or concurrency limit (429).
    case rateLimited = "rate_limited"
    /// Refused because a cost budget is spent (429).
    case budgetExceeded = "budget_exceeded"
    /// Tollgate could not complete the exchange (parser rejection, upstream failure, internal error).
    case error
}

/// The class of the status code sent to the client (`status_class` label).
public enum StatusClass: String, Sendable, CaseIterable {
    case informational = "1xx"
    case success = "2xx"
    case redirection = "3xx"
    case clientError = "4xx"
    case serverError = "5xx"
    /// No status was sent (the client went away) or the value is outside 100...599.
    case none

    /// The class of `status`; anything outside 100...599 is `.none`.
    @inlinable
    public init(status: Int) {
        switch status {
        case 100...199: self = .informational
        case 200...299: self = .success
        case 300...399: self = .redirection
        case 400...499: self = .clientError
        case 500...599: self = .serverError
        default: self = .none
        }
    }
}

/// Which limit the limiter evaluated (`limit_kind` label of `tollgate_limiter_decisions_total`).
public enum LimitKind: String, Sendable, CaseIterable {
    case clientRate = "client_rate"
    case functionRate = "function_rate"
    case clientConcurrency = "client_concurrency"
    case functionConcurrency = "function_concurrency"
    case clientBudget = "client_budget"
    case functionBudget = "function_budget"
}

/// What the limiter decided for one limit (`decision` label).
public enum LimitDecision: String, Sendable, CaseIterable {
    case admitted
    case limited
    /// Over the limit in `shadow` mode: counted and logged, not refused.
    case shadowLimited = "shadow_limited"
    /// Over a budget and routed to a configured cheaper upstream instead of refused.
    case degraded
}

/// Why an exchange with an upstream function failed (`kind` label of `tollgate_upstream_errors_total`).
public enum UpstreamErrorKind: String, Sendable, CaseIterable {
    /// The TCP connect failed or was refused.
    case connect
    /// The connection was reset or closed before a complete response.
    case reset
    /// The upstream did not answer within its timeout.
    case timeout
    /// The upstream sent a response the parser refused.
    case protocolError = "protocol"
}

/// A rule-engine failure that did not produce a verdict (`kind` label of `tollgate_rule_engine_errors_total`).
public enum RuleEngineErrorKind: String, Sendable, CaseIterable {
    /// PCRE2 gave up at its match limit (`PCRE2_ERROR_MATCHLIMIT`), a sign of catastrophic backtracking.
    case matchLimit = "match_limit"
    /// PCRE2 reached its depth limit (`PCRE2_ERROR_DEPTHLIMIT`).
    case depthLimit = "depth_limit"
    /// PCRE2 ran out of its heap limit (`PCRE2_ERROR_HEAPLIMIT`).
    case heapLimit = "heap_limit"
    /// Any other engine error (a failed transformation, an internal error).
    case other
}

/// What was reloaded (`kind` label of `tollgate_reloads_total`).
public enum ReloadKind: String, Sendable, CaseIterable {
    case config
    case ruleset
}

/// Errors talking to the shared limiter store (`kind` label of `tollgate_store_errors_total`).
public enum StoreErrorKind: String, Sendable, CaseIterable {
    case connect
    case timeout
    /// A malformed or unexpected RESP reply.
    case protocolError = "protocol"
    /// The Lua script failed (or `NOSCRIPT` after a flush).
    case script
}

/// Which side of the proxy a connection gauge counts.
public enum ConnectionSide: String, Sendable, CaseIterable {
    case client
    case upstream
}
