import TollgateLimiter
import TollgateMetrics

/// Rate limits, concurrency caps and budgets in the request path: decided after routing and before any rule
/// evaluation or upstream work; every admitted ticket is settled exactly once when the exchange ends.
extension ClientConnection {
    /// Asks the worker's limit backend about the routed request. Returns false when the request may go on
    /// now (no limits, or an allowing answer came synchronously: the caller continues); true when the
    /// answer is pending or already answered the request (the caller stops).
    func admitRequest(_ head: RequestHead, _ bytes: UnsafeRawBufferPointer, route: Router.Route) -> Bool {
        guard let workerLimits = worker.limits, let plan = workerLimits.limits.plan(route.index), plan.enabled
        else { return false }
        let key = clientKey(plan, head: head, bytes: bytes)
        limitClientKey = key
        let backend = workerLimits.backend
        let generation = exchangeGeneration
        var answered = false
        var proceedInline = false
        admissionPending = true
        backend.admit(function: route.functionName, clientKey: key, now: SystemClock().nanoseconds()) {
            [self] verdict in
            answered = true
            if admissionPending && generation == exchangeGeneration && phase != .closed {
                admissionPending = false
                proceedInline = applyAdmission(verdict, backend: backend, async: phase == .admitting)
            } else if case .allow(let ticket) = verdict {
                // The request is gone (client left, timed out): release what was reserved, charge nothing.
                backend.complete(
                    ticket, outcome: .notForwarded, upstreamNanoseconds: 0, now: SystemClock().nanoseconds())
            }
        }
        if answered { return !proceedInline }
        // The store answers later (on this queue): hold the connection until then.
        phase = .admitting
        deadline = worker.now + milliseconds(workerLimits.limits.setup.storeTimeoutMilliseconds + 1_000)
        updateInterest()
        return true
    }

    /// Acts on a verdict. Returns true when the request should continue inline (synchronous allow).
    private func applyAdmission(_ verdict: LimitVerdict, backend: any LimitBackend, async: Bool) -> Bool {
        switch verdict {
        case .allow(let ticket):
            limitTicket = ticket
            limitBackend = backend
            recordAdmission(ticket.admission)
            if let degradation = ticket.admission.degradedTo, !degrade(to: degradation.upstream) {
                worker.logger.warning(
                    "degrade_to upstream has no route; forwarding to the function's own upstream",
                    metadata: ["upstream": "\(degradation.upstream)"])
            }
            responseExtraHeaders.removeAll(keepingCapacity: true)
            for field in ticket.admission.headers.fields {
                responseExtraHeaders.append(contentsOf: field.name.utf8)
                responseExtraHeaders.append(contentsOf: ": ".utf8)
                responseExtraHeaders.append(contentsOf: field.value.utf8)
                responseExtraHeaders.append(contentsOf: "\r\n".utf8)
            }
            if async {
                phase = .readingHead
                deadline = 0
                continueAfterAdmission()
                if phase != .closed && !consuming { resumeInput() }
                return false
            }
            return true
        case .reject(let rejection):
            recordRejection(rejection)
            action = rejection.kind.isBudget ? .budgetExceeded : .rateLimited
            var headers: [UInt8] = []
            for field in rejection.headers.fields {
                headers.append(contentsOf: field.name.utf8)
                headers.append(contentsOf: ": ".utf8)
                headers.append(contentsOf: field.value.utf8)
                headers.append(contentsOf: "\r\n".utf8)
            }
            if !rejection.headers.fields.contains(where: { $0.name == "Retry-After" }) {
                headers.append(contentsOf: "Retry-After: \(rejection.retryAfterSeconds)\r\n".utf8)
            }
            if async { phase = .readingHead }
            respondJSON(429, body: Array(rejection.jsonBody.utf8), extraHeaders: headers)
            return false
        case .unavailable(let unavailable):
            action = .error
            if async { phase = .readingHead }
            respondJSON(
                StoreUnavailable.status, body: Array(unavailable.jsonBody.utf8),
                extraHeaders: Array("Retry-After: \(unavailable.retryAfterSeconds)\r\n".utf8))
            return false
        }
    }

    /// The request's client key under `identity` (peer address, forwarded address, header, JWT claim).
    private func clientKey(_ plan: FunctionLimitPlan, head: RequestHead, bytes: UnsafeRawBufferPointer) -> [UInt8] {
        let identity = plan.identity
        let peer = IPAddress(String(decoding: peerIP, as: UTF8.self)) ?? IPAddress(v4: 0)
        var headers: [(String, String)] = []
        if plan.needsHeaders {
            headers.reserveCapacity(head.fieldCount)
            for index in 0..<head.fieldCount {
                let field = worker.fields[index]
                headers.append(
                    (
                        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[field.name]), as: UTF8.self),
                        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[field.value]), as: UTF8.self)
                    ))
            }
        }
        return identity.key(peer: peer, headers: headers).bytes
    }

    /// Settles the admitted ticket (once) with how the exchange ended.
    func settleLimitTicket(status: Int) {
        guard let ticket = limitTicket, let backend = limitBackend else { return }
        limitTicket = nil
        limitBackend = nil
        let now = SystemClock().nanoseconds()
        let outcome: CompletionOutcome
        var upstreamNanoseconds: UInt64? = upstreamElapsedNanoseconds(now: now)
        if upstreamStartNanoseconds == 0 {
            outcome = status == 0 ? .clientAbort : .notForwarded
            upstreamNanoseconds = 0
        } else if status == 0 {
            outcome = .clientAbort
        } else if upstreamErrorKind == .timeout {
            outcome = .timeout
        } else if upstreamErrorKind != nil {
            outcome = .error
        } else {
            outcome = .success
        }
        let reserved = ticket.admission.reserved
        backend.complete(ticket, outcome: outcome, upstreamNanoseconds: upstreamNanoseconds, now: now)
        if let metrics = worker.observability?.metrics, let function = requestRoute?.metrics {
            let seconds = Double(upstreamNanoseconds ?? 0) / 1e9
            let forwarded = upstreamStartNanoseconds != 0
            let plan = route.flatMap { worker.limits?.limits.plan($0.index) }
            let memoryGB = Double(plan?.memoryMB ?? route?.function.memoryMB ?? 128) / 1024
            let gbSeconds = forwarded ? seconds * memoryGB : 0
            let usd =
                forwarded
                ? (plan.map { $0.pricing.dollarsPerRequest + gbSeconds * $0.pricing.dollarsPerGBSecond } ?? 0) : 0
            metrics.recordSettlement(
                function: function, reservedUSD: reserved.dollars, reservedGBSeconds: reserved.gbSeconds,
                spentUSD: usd, spentGBSeconds: gbSeconds)
        }
    }

    private func recordAdmission(_ admission: Admission) {
        guard let metrics = worker.observability?.metrics else { return }
        if let shadow = admission.shadowRejection {
            metrics.recordLimiterDecision(kind: shadow.metricKind, decision: .shadowLimited)
            worker.logger.info(
                "limit exceeded (shadow mode: forwarded)",
                metadata: ["limit": "\(shadow.rawValue)", "function": "\(route?.functionName ?? "-")"])
        } else if let degraded = admission.degradedTo {
            metrics.recordLimiterDecision(kind: degraded.kind.metricKind, decision: .degraded)
        } else if let index = route?.index, let plan = worker.limits?.limits.plan(index) {
            for kind in plan.admittedKinds { metrics.recordLimiterDecision(kind: kind, decision: .admitted) }
        }
        if let function = requestRoute?.metrics {
            metrics.recordReservation(
                function: function, usd: admission.reserved.dollars, gbSeconds: admission.reserved.gbSeconds)
        }
    }

    private func recordRejection(_ rejection: Rejection) {
        worker.observability?.metrics?.recordLimiterDecision(kind: rejection.kind.metricKind, decision: .limited)
    }
}

extension TollgateLimiter.LimitKind {
    var isBudget: Bool { self == .clientBudget || self == .functionBudget }

    /// The metrics label for this limit.
    var metricKind: MetricLimitKind {
        switch self {
        case .clientRate: .clientRate
        case .functionRate: .functionRate
        case .clientConcurrency: .clientConcurrency
        case .functionConcurrency: .functionConcurrency
        case .clientBudget: .clientBudget
        case .functionBudget: .functionBudget
        }
    }
}
