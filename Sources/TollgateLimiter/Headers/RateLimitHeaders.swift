/// Values of the IETF `RateLimit-Policy` and `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers-11,
/// sections 3 and 4) for the rate policies that apply to a request.
///
/// Policies are named `"per_client"` and `"per_function"`. For a GCRA limit with rate `ρ` and burst `b`
/// the policy advertises `q = b` over `w = ceil(b / ρ)` seconds (the time to refill a full burst);
/// `r` is what can be sent right now and `t` the seconds until the burst is full again (on a refusal,
/// the retry delay, so that `Retry-After` is never earlier than `t`, section 6).
public struct RateLimitHeaders: Sendable, Equatable {
    /// `RateLimit-Policy` field value, e.g. `"per_client";q=10;w=1`; empty when no rate is configured.
    /// Rendered once at load and shared.
    public let policy: String
    /// The per-client service limit: available quota `r` and effective window `t` in seconds.
    public let client: ServiceLimit?
    /// The per-function service limit.
    public let function: ServiceLimit?
    /// `Retry-After` seconds on refusals; nil on admissions.
    public let retryAfterSeconds: UInt64?

    /// `r` and `t` of one `RateLimit` item.
    public struct ServiceLimit: Sendable, Equatable {
        public let remaining: Int
        public let resetSeconds: UInt64
    }

    init(policy: String, client: ServiceLimit?, function: ServiceLimit?, retryAfterSeconds: UInt64?) {
        self.policy = policy
        self.client = client
        self.function = function
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// `RateLimit` field value, e.g. `"per_client";r=9;t=1`; empty when no rate is configured. Rendered on
    /// access, so deciding allocates nothing for it.
    public var rateLimit: String {
        var items: [String] = []
        if let client {
            items.append(
                RateLimitHeaders.limitItem(
                    name: "per_client", remaining: client.remaining, resetSeconds: client.resetSeconds))
        }
        if let function {
            items.append(
                RateLimitHeaders.limitItem(
                    name: "per_function", remaining: function.remaining, resetSeconds: function.resetSeconds))
        }
        return items.joined(separator: ", ")
    }

    /// The fields to add to a response, in order; empty values are left out.
    public var fields: [(name: String, value: String)] {
        var out: [(name: String, value: String)] = []
        if !policy.isEmpty { out.append(("RateLimit-Policy", policy)) }
        let limit = rateLimit
        if !limit.isEmpty { out.append(("RateLimit", limit)) }
        if let retryAfterSeconds { out.append(("Retry-After", String(retryAfterSeconds))) }
        return out
    }

    /// One `RateLimit-Policy` item: `"name";q=Q;w=W`.
    public static func policyItem(name: String, quota: Int, windowSeconds: Int) -> String {
        "\"\(name)\";q=\(quota);w=\(windowSeconds)"
    }

    /// One `RateLimit` item: `"name";r=R;t=T`.
    public static func limitItem(name: String, remaining: Int, resetSeconds: UInt64) -> String {
        "\"\(name)\";r=\(remaining);t=\(resetSeconds)"
    }
}
