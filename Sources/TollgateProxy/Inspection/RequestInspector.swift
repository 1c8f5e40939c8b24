/// What an inspector decides about a request or response.
public enum InspectionVerdict: Sendable, Equatable {
    case allow
    /// Answer with this status (a JSON error body) instead of forwarding; the connection is closed when the
    /// request body was not read whole.
    case block(status: Int)
}

/// A header field copied out of the proxy's buffers for an inspector.
public struct InspectedHeader: Sendable, Equatable {
    public var name: [UInt8]
    public var value: [UInt8]
    public init(name: [UInt8], value: [UInt8]) {
        self.name = name
        self.value = value
    }
}

/// A request as an inspector sees it (built only when an inspector is installed).
public struct InspectedRequest: Sendable {
    public var method: [UInt8]
    /// The request target as received (path and query).
    public var target: [UInt8]
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion: Int
    public var headers: [InspectedHeader]
    /// Client IP as text.
    public var clientAddress: [UInt8]
    public var functionName: String
    public var requestID: [UInt8]

    public init(
        method: [UInt8], target: [UInt8], minorVersion: Int, headers: [InspectedHeader], clientAddress: [UInt8],
        functionName: String, requestID: [UInt8]
    ) {
        self.method = method
        self.target = target
        self.minorVersion = minorVersion
        self.headers = headers
        self.clientAddress = clientAddress
        self.functionName = functionName
        self.requestID = requestID
    }
}

/// The rule engine's hook into the request path (the proxy calls it on the worker queue).
///
/// `begin` runs after the head is parsed and routed; returning nil skips inspection for the request (the
/// default, no-op inspector returns nil, so uninspected traffic pays nothing).
public protocol RequestInspector: Sendable {
    func begin(_ request: InspectedRequest) -> (any InspectionTransaction)?
}

/// Per-request inspection state. Used from one worker queue only; never shared.
public protocol InspectionTransaction: AnyObject {
    /// Phase 1: the request head.
    func inspectRequestHead() -> InspectionVerdict
    /// Whether phase 2 wants the request body buffered (up to `http.inspection_buffer_bytes`) before forwarding.
    var wantsRequestBody: Bool { get }
    /// Phase 2: the decoded body prefix; `truncated` when the body is longer than the inspection buffer (the
    /// rest is streamed to the upstream uninspected). Called for every inspected request: with an empty
    /// buffer when there is no body or `wantsRequestBody` is false (phase-2 rules still run).
    func inspectRequestBody(_ body: UnsafeRawBufferPointer, truncated: Bool) -> InspectionVerdict
    /// Phase 3: the response head, before it is sent to the client.
    func inspectResponseHead(status: Int, headers: [InspectedHeader]) -> InspectionVerdict
    /// Phase 4: decoded response body bytes as they stream to the client, at most
    /// `http.inspection_buffer_bytes` in total, then once more with an empty chunk and `isFinal` when the body
    /// ended. The head is already sent, so `.block` aborts the connection (the client sees a truncated body).
    func inspectResponseBody(_ chunk: UnsafeRawBufferPointer, isFinal: Bool) -> InspectionVerdict
    /// After `inspectResponseHead` allowed: whether the proxy should hold the response (head and body) until
    /// the final `inspectResponseBody` call, so a phase-4 block becomes a clean error answer. The proxy holds
    /// only bodies of known length within `http.inspection_buffer_bytes`; others stream (a block then aborts).
    var holdsResponseBody: Bool { get }
    /// A held response (see `holdsResponseBody`) whose final `inspectResponseBody` answered `.block`: a
    /// replacement for it, head and body as the client gets them, that may be sent instead (e.g. with leaked
    /// secrets masked and Content-Length adjusted); nil: answer the block.
    func replacementForBlockedResponse(head: [UInt8], body: ArraySlice<UInt8>) -> [UInt8]?
    /// Logging phase: the exchange ended with `status` (0 when the connection was aborted).
    func finish(status: Int)
    /// What the inspection found so far (for the access log and metrics); read just before `finish`.
    var summary: InspectionSummary { get }
}

/// What an inspection found: for the access log and the anomaly-score histogram.
public struct InspectionSummary: Sendable, Equatable {
    /// False when nothing was evaluated (e.g. rules off for the function).
    public var evaluated: Bool
    /// Ids of the rules that matched and log.
    public var matchedRuleIDs: [Int]
    /// The inbound anomaly score.
    public var anomalyScore: Int

    public init(evaluated: Bool = false, matchedRuleIDs: [Int] = [], anomalyScore: Int = 0) {
        self.evaluated = evaluated
        self.matchedRuleIDs = matchedRuleIDs
        self.anomalyScore = anomalyScore
    }
}

extension InspectionTransaction {
    /// Default: nothing to report.
    public var summary: InspectionSummary { InspectionSummary() }
    /// Default: responses stream.
    public var holdsResponseBody: Bool { false }

    /// Default: response bodies are not inspected.
    public func inspectResponseBody(_ chunk: UnsafeRawBufferPointer, isFinal: Bool) -> InspectionVerdict { .allow }

    /// Default: a blocked response is never replaced.
    public func replacementForBlockedResponse(head: [UInt8], body: ArraySlice<UInt8>) -> [UInt8]? { nil }
}

/// The default inspector: inspects nothing.
public struct NoInspection: RequestInspector {
    public init() {}
    public func begin(_ request: InspectedRequest) -> (any InspectionTransaction)? { nil }
}
