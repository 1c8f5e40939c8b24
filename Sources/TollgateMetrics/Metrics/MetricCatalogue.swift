/// The kind of a Prometheus metric family.
public enum MetricType: String, Sendable {
    case counter
    case gauge
    case histogram
}

/// One metric family Tollgate exports: its name, type, label names and help text.
///
/// ``MetricCatalogue/all`` is the single list the registry is filled from, the tests check the exposition
/// against, and docs/metrics.md documents.
public struct MetricDefinition: Sendable, Hashable {
    public let name: String
    public let type: MetricType
    /// Label names, in the order they are rendered. Every one is drawn from a closed set of values.
    public let labels: [String]
    public let help: String
}

/// Every metric family Tollgate exports, with the histogram buckets it uses.
public enum MetricCatalogue {
    /// Buckets for durations in seconds: 100 µs to 30 s, roughly 1-2.5-5 per decade.
    public static let secondsBuckets: [Double] = [
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
    ]
    /// Buckets for inbound anomaly scores (CRS scores: critical 5, error 4, warning 3, notice 2).
    public static let anomalyScoreBuckets: [Double] = [0, 2, 3, 5, 8, 10, 15, 20, 25, 50]

    public static let requests = MetricDefinition(
        name: "tollgate_requests_total", type: .counter, labels: ["function", "action", "status_class"],
        help: "Requests handled, by function, action taken and class of the status sent to the client.")
    public static let ruleMatches = MetricDefinition(
        name: "tollgate_rule_matches_total", type: .counter, labels: ["rule_id"],
        help: "Rule matches by rule id of the loaded ruleset (other for ids outside it).")
    public static let categoryMatches = MetricDefinition(
        name: "tollgate_anomaly_category_matches_total", type: .counter, labels: ["category"],
        help: "Rule matches by anomaly category (sqli, xss, rce, ...).")
    public static let anomalyScore = MetricDefinition(
        name: "tollgate_anomaly_score", type: .histogram, labels: ["function"],
        help: "Inbound anomaly score of each evaluated request.")
    public static let limiterDecisions = MetricDefinition(
        name: "tollgate_limiter_decisions_total", type: .counter, labels: ["limit_kind", "decision"],
        help: "Limiter decisions by limit kind and decision.")
    public static let spentUSD = MetricDefinition(
        name: "tollgate_function_spent_usd_total", type: .counter, labels: ["function"],
        help: "Money spent on upstream invocations, in US dollars, settled with measured durations.")
    public static let spentGBSeconds = MetricDefinition(
        name: "tollgate_function_spent_gigabyte_seconds_total", type: .counter, labels: ["function"],
        help: "Compute spent on upstream invocations, in GB-seconds.")
    public static let reservedUSD = MetricDefinition(
        name: "tollgate_function_reserved_usd", type: .gauge, labels: ["function"],
        help: "Money reserved for invocations in flight, in US dollars.")
    public static let reservedGBSeconds = MetricDefinition(
        name: "tollgate_function_reserved_gigabyte_seconds", type: .gauge, labels: ["function"],
        help: "Compute reserved for invocations in flight, in GB-seconds.")
    public static let budgetRemainingUSD = MetricDefinition(
        name: "tollgate_function_budget_remaining_usd", type: .gauge, labels: ["function"],
        help: "Money left in the function's budget window, in US dollars.")
    public static let budgetRemainingGBSeconds = MetricDefinition(
        name: "tollgate_function_budget_remaining_gigabyte_seconds", type: .gauge, labels: ["function"],
        help: "Compute left in the function's budget window, in GB-seconds.")
    public static let budgetLimitUSD = MetricDefinition(
        name: "tollgate_function_budget_limit_usd", type: .gauge, labels: ["function"],
        help: "The function's configured money budget per window, in US dollars (0 if none).")
    public static let budgetLimitGBSeconds = MetricDefinition(
        name: "tollgate_function_budget_limit_gigabyte_seconds", type: .gauge, labels: ["function"],
        help: "The function's configured compute budget per window, in GB-seconds (0 if none).")
    public static let upstreamLatency = MetricDefinition(
        name: "tollgate_upstream_latency_seconds", type: .histogram, labels: ["function"],
        help: "Time from forwarding a request to the end of the upstream response, in seconds.")
    public static let proxyLatency = MetricDefinition(
        name: "tollgate_proxy_added_latency_seconds", type: .histogram, labels: ["function"],
        help: "Time a request spent in Tollgate itself, excluding the upstream, in seconds.")
    public static let openConnections = MetricDefinition(
        name: "tollgate_open_connections", type: .gauge, labels: ["side"],
        help: "Open connections, client side and upstream side.")
    public static let upstreamErrors = MetricDefinition(
        name: "tollgate_upstream_errors_total", type: .counter, labels: ["function", "kind"],
        help: "Failed upstream exchanges by function and kind (connect, reset, timeout, protocol).")
    public static let parserRejections = MetricDefinition(
        name: "tollgate_parser_rejections_total", type: .counter, labels: ["reason"],
        help: "Requests the HTTP parser refused, by error code.")
    public static let ruleEngineErrors = MetricDefinition(
        name: "tollgate_rule_engine_errors_total", type: .counter, labels: ["kind"],
        help: "Rule engine errors that produced no verdict (PCRE2 match, depth and heap limits).")
    public static let reloads = MetricDefinition(
        name: "tollgate_reloads_total", type: .counter, labels: ["kind", "result"],
        help: "Configuration and ruleset reloads by result (success, failure).")
    public static let lastReloadSuccessful = MetricDefinition(
        name: "tollgate_last_reload_successful", type: .gauge, labels: ["kind"],
        help: "1 if the last configuration or ruleset reload succeeded, 0 if it failed.")
    public static let rulesetRules = MetricDefinition(
        name: "tollgate_ruleset_rules", type: .gauge, labels: [],
        help: "Number of rules in the loaded ruleset.")
    public static let storeErrors = MetricDefinition(
        name: "tollgate_store_errors_total", type: .counter, labels: ["kind"],
        help: "Errors talking to the shared limiter store (Redis) by kind.")
    public static let failOpenSeconds = MetricDefinition(
        name: "tollgate_store_fail_open_seconds_total", type: .counter, labels: [],
        help: "Time spent enforcing local limits only because the shared store was unusable, in seconds.")
    public static let failingOpen = MetricDefinition(
        name: "tollgate_store_failing_open", type: .gauge, labels: [],
        help: "1 while the shared store is unusable and the limiter fails open, else 0.")
    public static let buildInfo = MetricDefinition(
        name: "tollgate_build_info", type: .gauge, labels: ["version", "revision"],
        help: "Always 1; the labels carry the running build's version and revision.")

    /// Every metric family, in documentation order.
    public static let all: [MetricDefinition] = [
        requests, ruleMatches, categoryMatches, anomalyScore, limiterDecisions,
        spentUSD, spentGBSeconds, reservedUSD, reservedGBSeconds, budgetRemainingUSD, budgetRemainingGBSeconds,
        budgetLimitUSD, budgetLimitGBSeconds,
        upstreamLatency, proxyLatency, openConnections, upstreamErrors, parserRejections, ruleEngineErrors,
        reloads, lastReloadSuccessful, rulesetRules, storeErrors, failOpenSeconds, failingOpen, buildInfo,
    ]

    /// Anomaly categories recorded by name; any other category is recorded as `other`.
    ///
    /// The CRS v4 attack families plus Tollgate's own (`api`, `wallet`).
    public static let defaultCategories: [String] = [
        "protocol", "scanner", "method", "dos", "multipart", "generic", "lfi", "rfi", "rce", "php", "nodejs",
        "java", "xss", "sqli", "session_fixation", "data_leakage", "web_shell", "api", "wallet",
    ]

    /// Parser rejection reasons recorded by name: the `HTTPParseError.Code` raw values.
    ///
    /// Kept as strings so this target does not depend on TollgateHTTP; the proxy may pass
    /// `HTTPParseError.Code.allCases.map(\.rawValue)` instead. Any other reason is recorded as `other`.
    public static let defaultParserReasons: [String] = [
        "invalidRequestLine", "invalidMethod", "unsupportedMethod", "invalidTarget", "unsupportedVersion",
        "invalidHeaderName", "missingColon", "whitespaceBeforeColon", "obsFold", "bareCR", "bareLF", "nulByte",
        "invalidHeaderValue", "missingHost", "multipleHost", "invalidHost",
        "conflictingContentLengthAndTransferEncoding", "invalidContentLength", "duplicateContentLength",
        "invalidTransferEncoding", "unsupportedTransferEncoding", "transferEncodingInHTTP10", "expectationFailed",
        "requestLineTooLong", "headerTooLarge", "tooManyHeaders", "invalidChunkSize", "chunkSizeOverflow",
        "invalidChunkExtension", "chunkExtensionTooLong", "invalidChunkDelimiter", "trailerTooLarge",
        "invalidTrailer", "invalidStatusLine", "responseHeaderTooLarge", "timeout", "bodyTooLarge",
    ]
}
