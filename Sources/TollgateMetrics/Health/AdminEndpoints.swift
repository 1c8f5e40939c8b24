/// Routes admin requests (`/metrics`, `/healthz`, `/readyz`) to their answers.
///
/// The proxy's admin listener parses the request and calls ``respond(method:target:authorization:)``; this
/// type does no I/O. `admin_listen` is loopback by default; when a bearer token is configured, `/metrics`
/// (and, with `protectHealth`, the health endpoints) require `Authorization: Bearer <token>`, compared in
/// constant time. Only GET and HEAD are served (HEAD answers with an empty body). Without a registry
/// (`metrics: {enabled: false}`), `/metrics` answers 404 `{"error":"metrics_disabled"}`.
public struct AdminEndpoints: Sendable {
    /// Nil when metrics are disabled.
    public let metrics: TollgateMetrics?
    public let health: HealthState
    let bearerToken: [UInt8]?
    let protectHealth: Bool

    public init(metrics: TollgateMetrics?, health: HealthState, bearerToken: String? = nil, protectHealth: Bool = false)
    {
        self.metrics = metrics
        self.health = health
        self.bearerToken = bearerToken.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
        self.protectHealth = protectHealth
    }

    /// The answer to one admin request.
    ///
    /// - Parameters:
    ///   - method: The request method (case-sensitive, RFC 9110 section 9.1).
    ///   - target: The request target in origin form; any query is ignored.
    ///   - authorization: The `Authorization` field value, if present.
    public func respond(method: String, target: String, authorization: String?) -> AdminResponse {
        let path =
            target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let needsToken: Bool
        switch path {
        case "/metrics":
            guard metrics != nil else { return .json(status: 404, #"{"error":"metrics_disabled"}"#) }
            needsToken = true
        case "/healthz", "/readyz": needsToken = protectHealth
        default:
            return .json(status: 404, #"{"error":"not_found"}"#)
        }
        guard method == "GET" || method == "HEAD" else {
            return .json(status: 405, #"{"error":"method_not_allowed"}"#, extraHeaders: [("Allow", "GET, HEAD")])
        }
        if needsToken, !isAuthorized(authorization) {
            return .json(
                status: 401, #"{"error":"unauthorized"}"#, extraHeaders: [("WWW-Authenticate", "Bearer")])
        }
        var response: AdminResponse
        switch path {
        case "/metrics":
            var body: [UInt8] = []
            metrics?.render(into: &body)
            response = AdminResponse(
                status: 200, headers: [("Content-Type", TollgateMetrics.contentType), ("Cache-Control", "no-store")],
                body: body)
        case "/healthz": response = health.healthz()
        default: response = health.readyz()
        }
        if method == "HEAD" { response.body = [] }
        return response
    }

    /// True if no token is configured, or `authorization` is `Bearer <token>` (scheme case-insensitive).
    func isAuthorized(_ authorization: String?) -> Bool {
        guard let bearerToken else { return true }
        guard let authorization else { return false }
        let bytes = Array(authorization.utf8)
        let scheme = Array("bearer ".utf8)
        guard bytes.count > scheme.count,
            zip(bytes.prefix(scheme.count), scheme).allSatisfy({ $0 | 0x20 == $1 | 0x20 })
        else { return false }
        return constantTimeEqual(Array(bytes.dropFirst(scheme.count)), bearerToken)
    }
}

/// Compares two byte strings in time that depends only on their lengths, not on where they differ.
func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    var difference = UInt8(lhs.count == rhs.count ? 0 : 1)
    let count = max(lhs.count, rhs.count)
    for i in 0..<count {
        let a = i < lhs.count ? lhs[i] : 0
        let b = i < rhs.count ? rhs[i] : 0
        difference |= a ^ b
    }
    return difference == 0
}
