import Dispatch
import TollgateMetrics

/// The end of every request, in one place: the inspection transaction's logging phase, the limiter
/// settlement, the request metrics and the access log line. Called exactly once per request (answered by
/// the upstream, answered by the proxy, or aborted).
extension ClientConnection {
    /// A request head arrived (called first in `beginRequest`).
    func startRequestRecord(_ bytes: UnsafeRawBufferPointer, method: Range<Int>, target: Range<Int>) {
        requestActive = true
        requestStartNanoseconds = DispatchTime.now().uptimeNanoseconds
        bytesSent = 0
        if worker.hasAccessLog {
            logMethod.removeAll(keepingCapacity: true)
            logMethod.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[method]))
            logTarget.removeAll(keepingCapacity: true)
            logTarget.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[target.prefix(2048)]))
        }
    }

    /// The parser refused a request head: counted by reason; the answer is recorded as a request.
    func recordParserRejection(_ reason: String) {
        resetExchange()
        requestActive = true
        requestStartNanoseconds = DispatchTime.now().uptimeNanoseconds
        bytesSent = 0
        logMethod.removeAll(keepingCapacity: true)
        logTarget.removeAll(keepingCapacity: true)
        worker.metrics?.recordParserRejection(reason: reason)
    }

    /// Nanoseconds the upstream took (0 when it was not contacted).
    func upstreamElapsedNanoseconds(now: UInt64) -> UInt64 {
        guard upstreamStartNanoseconds != 0 else { return 0 }
        let end = upstreamEndNanoseconds != 0 ? upstreamEndNanoseconds : now
        return end > upstreamStartNanoseconds ? end - upstreamStartNanoseconds : 0
    }

    /// Ends the current request with `status` (0: aborted, nothing sent).
    func endRequest(status: Int) {
        let summary = transaction?.summary
        transaction?.finish(status: status)
        transaction = nil
        guard requestActive else { return }
        requestActive = false
        if status == 0 && action == .allowed { action = .error }
        settleLimitTicket(status: status)
        let metrics = worker.metrics
        guard metrics != nil || worker.hasAccessLog else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        let total = now > requestStartNanoseconds ? now - requestStartNanoseconds : 0
        let upstream = upstreamElapsedNanoseconds(now: now)
        let recorded = requestRoute ?? route
        if let metrics {
            let upstreamSeconds: Double? = upstreamStartNanoseconds != 0 ? Double(upstream) / 1e9 : nil
            let proxySeconds = Double(total > upstream ? total - upstream : 0) / 1e9
            // The handles are passed straight from the route's constant property (checked non-nil just before):
            // binding them to a name (if let) or `unsafelyUnwrapped` copies the struct, a retain and a release
            // for each of its references.
            if let recorded, recorded.metrics != nil {
                record(
                    metrics, function: recorded.metrics!, summary: summary, status: status,
                    upstreamSeconds: upstreamSeconds, proxySeconds: proxySeconds)
            } else {
                record(
                    metrics, function: metrics.functions.other, summary: summary, status: status,
                    upstreamSeconds: upstreamSeconds, proxySeconds: proxySeconds)
            }
        }
        // The access log is written with metrics on or off (`metrics: {enabled: false}`).
        guard worker.hasAccessLog, let observability = worker.observability, let sink = observability.accessLog else {
            return
        }
        let key = limitClientKey.isEmpty ? peerIP : limitClientKey
        let record = AccessLogRecord(
            requestId: String(decoding: requestID, as: UTF8.self),
            function: recorded?.functionName ?? otherLabelValue,
            clientKeyHash: observability.hasher.pseudonym(key), method: String(decoding: logMethod, as: UTF8.self),
            path: String(decoding: logTarget, as: UTF8.self), status: status, action: action,
            matchedRuleIds: summary?.matchedRuleIDs ?? [], anomalyScore: summary?.anomalyScore ?? 0,
            totalMilliseconds: Double(total) / 1e6,
            upstreamMilliseconds: upstreamStartNanoseconds != 0 ? Double(upstream) / 1e6 : nil,
            bytesIn: bodyReceived, bytesOut: bytesSent)
        var line: [UInt8] = []
        record.render(into: &line)
        sink.write(line)
    }

    private func record(
        _ metrics: TollgateMetrics, function: FunctionMetrics, summary: InspectionSummary?, status: Int,
        upstreamSeconds: Double?, proxySeconds: Double
    ) {
        metrics.recordRequest(
            function: function, action: action, status: status, upstreamSeconds: upstreamSeconds,
            proxySeconds: proxySeconds)
        if let upstreamErrorKind { metrics.recordUpstreamError(function: function, kind: upstreamErrorKind) }
        if let summary, summary.evaluated {
            metrics.recordAnomalyScore(function: function, score: summary.anomalyScore)
        }
    }

    /// Classifies an upstream failure for `tollgate_upstream_errors_total`.
    static func upstreamErrorKind(status: Int, reason: StaticString) -> UpstreamErrorKind {
        if status == 504 { return .timeout }
        let text = reason.description
        if text.contains("refused") || text.contains("unavailable") { return .connect }
        if text.contains("malformed") || text.contains("too large") || text.contains("protocol") {
            return .protocolError
        }
        return .reset
    }
}
