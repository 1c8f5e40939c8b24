import CTollgateSystem
import Dispatch
import TollgateHTTP

extension ClientConnection {
    /// A request head was parsed from `bytes`: route it, check limits, inspect, and start forwarding.
    func beginRequest(_ head: RequestHead, _ bytes: UnsafeRawBufferPointer) {
        worker.counters.requests.increment()
        resetExchange()
        startRequestRecord(bytes, method: head.method, target: head.target)
        if let incoming = head.requestID,
            RequestIDGenerator.isAcceptable(UnsafeRawBufferPointer(rebasing: bytes[incoming]))
        {
            requestID.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[incoming]))
        } else {
            worker.requestIDs.next(into: &requestID)
        }
        keepAlive = head.keepAlive && !draining
        http10 = head.minorVersion == 0
        isHeadRequest = Self.isExactly(bytes, head.method, "HEAD")
        expectContinue = head.expectContinue && head.hasBody
        if head.chunked {
            requestBody = .chunked(TollgateHTTP.ChunkedDecoder(limits: limits))
        } else if let length = head.contentLength, length > 0 {
            requestBody = .length(length)
        } else {
            requestBody = .none
        }
        requestComplete = !head.hasBody

        let target = UnsafeRawBufferPointer(rebasing: bytes[head.target])
        let method = UnsafeRawBufferPointer(rebasing: bytes[head.method])
        let host = head.host.map { Self.hostWithoutPort(bytes, $0) } ?? 0..<0
        let found: Router.Route
        switch worker.routing.router.match(
            target: target, host: UnsafeRawBufferPointer(rebasing: bytes[host]), method: method)
        {
        case .notFound:
            respondError(404, "no route", close: head.hasBody)
            return
        case .methodNotAllowed(let route):
            respondError(405, "method not allowed", close: head.hasBody, allow: route.allowValue)
            return
        case .route(let route):
            found = route
        }
        route = found
        requestRoute = found
        pool = worker.routing.pool(for: found)
        maxBody = found.maxBodyBytes
        if let length = head.contentLength, length > maxBody {
            respondError(413, "request body too large", close: true)
            return
        }

        // Everything the rest of the request needs from the head's bytes, taken now: admission may answer
        // later, when those bytes are gone.
        buildForwardHead(head, bytes, route: found)
        chunkedToUpstream = head.chunked
        wroteUpstreamChunk = false
        pendingHasBody = head.hasBody
        pendingInspection =
            worker.inspector != nil ? makeInspectedRequest(head, bytes, function: found.functionName) : nil

        // Limits first: before any rule evaluation or upstream work.
        if admitRequest(head, bytes, route: found) { return }
        continueAfterAdmission()
    }

    /// A budget ran out and degrades: forward to its `degrade_to` upstream (the function's route, timeouts and
    /// metrics stay; the upstream's base path replaces the function's). False when no such route exists.
    func degrade(to upstream: String) -> Bool {
        guard let current = route,
            let alternative = worker.routing.router.degradeRoute(for: current, upstream: upstream)
        else { return false }
        forwardHead.replaceSubrange(forwardBasePath, with: alternative.basePath)
        forwardBasePath = forwardBasePath.lowerBound..<(forwardBasePath.lowerBound + alternative.basePath.count)
        pool = worker.routing.pool(for: alternative)
        return true
    }

    /// Inspection (phase 1, then the body when phase 2 wants it) and forwarding, once admitted.
    func continueAfterAdmission() {
        let hasBody = pendingHasBody
        if let inspector = worker.inspector, let request = pendingInspection {
            pendingInspection = nil
            if let transaction = inspector.begin(request) {
                self.transaction = transaction
                if case .block(let status) = transaction.inspectRequestHead() {
                    worker.counters.blocked.increment()
                    action = .blocked
                    respondError(status, "request blocked", close: hasBody)
                    return
                }
            }
        }
        pendingInspection = nil
        if let transaction {
            if hasBody && transaction.wantsRequestBody {
                phase = .inspectingBody
                deadline = worker.now + milliseconds(worker.settings.bodyTimeoutMilliseconds)
                sendContinueIfExpected()
                return
            }
            // Phase 2 runs for every request (anomaly evaluation lives there), with no body to show.
            let verdict = transaction.inspectRequestBody(UnsafeRawBufferPointer(start: nil, count: 0), truncated: false)
            if case .block(let status) = verdict {
                worker.counters.blocked.increment()
                action = .blocked
                respondError(status, "request blocked", close: hasBody)
                return
            }
        }
        startForwarding()
    }

    static func isExactly(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        for offset in 0..<range.count where bytes[range.lowerBound + offset] != literal.utf8Start[offset] {
            return false
        }
        return true
    }

    static func hostWithoutPort(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Range<Int> {
        guard !range.isEmpty else { return range }
        if bytes[range.lowerBound] == UInt8(ascii: "[") {
            if let close = bytes[range].firstIndex(of: UInt8(ascii: "]")) { return range.lowerBound..<(close + 1) }
            return range
        }
        if let colon = bytes[range].firstIndex(of: UInt8(ascii: ":")) { return range.lowerBound..<colon }
        return range
    }

    /// Clears per-request state (keeps buffers' capacity).
    func resetExchange() {
        route = nil
        pool = nil
        requestBody = .none
        requestComplete = true
        bodyReceived = 0
        responseState = .awaitingHead
        responseBody = .none
        responseStarted = false
        passthroughChunked = false
        rechunkResponse = false
        wroteResponseChunk = false
        upstreamKeepAlive = true
        closeAfterResponse = false
        retried = false
        expectContinue = false
        sentContinue = false
        isHeadRequest = false
        responseStatus = 0
        responseBodyInspected = 0
        if transaction != nil || limitTicket != nil { endRequest(status: 0) }
        transaction = nil
        requestActive = false
        exchangeGeneration &+= 1
        admissionPending = false
        action = .allowed
        upstreamErrorKind = nil
        upstreamStartNanoseconds = 0
        upstreamEndNanoseconds = 0
        requestRoute = nil
        limitClientKey.removeAll(keepingCapacity: true)
        responseExtraHeaders.removeAll(keepingCapacity: true)
        pendingInspection = nil
        pendingHasBody = false
        holdingResponse = false
        responseFinalInspected = false
        if heldResponse.capacity > 256 * 1024 {
            heldResponse = []
        } else {
            heldResponse.removeAll(keepingCapacity: true)
        }
        requestID.removeAll(keepingCapacity: true)
        if inspectBuffer.capacity > 256 * 1024 {
            inspectBuffer = []
        } else {
            inspectBuffer.removeAll(keepingCapacity: true)
        }
        upstreamDeadline = 0
    }

    // MARK: The forwarded head

    /// The request head as the upstream gets it: path rewritten, hop-by-hop fields removed, framing made
    /// explicit, `Host` added when the client sent none (the upstream's authority), `X-Forwarded-For`,
    /// `Forwarded` and `X-Request-Id` added.
    private func buildForwardHead(_ head: RequestHead, _ bytes: UnsafeRawBufferPointer, route: Router.Route) {
        // Assembled in the worker's buffer (an append is a memcpy), then copied into `forwardHead` once.
        let worker = self.worker
        worker.heads.reset()
        let fields = worker.fields
        worker.heads.append(bytes, head.method)
        worker.heads.append(" ")
        forwardBasePath = worker.heads.count..<(worker.heads.count + route.basePath.count)
        worker.heads.append(route.basePath)
        if route.function.stripPrefix {
            var rest = head.target.lowerBound + route.prefix.count
            if route.prefix == [UInt8(ascii: "/")] { rest = head.target.lowerBound }
            if rest >= head.target.upperBound || bytes[rest] != UInt8(ascii: "/") { worker.heads.append("/") }
            worker.heads.append(bytes, rest..<head.target.upperBound)
        } else {
            // "/base" + "/" leaves a trailing slash the function may not expect; kept: it was asked for.
            worker.heads.append(bytes, head.target)
        }
        worker.heads.append(" HTTP/1.1\r\n")
        worker.heads.appendFieldLines(bytes, fields, count: head.fieldCount) { field in
            !field.kind.isDroppedWhenForwarding
                && !(head.hasConnectionOptions && isListedInConnection(field.name, head, bytes))
        }
        if head.host == nil {
            // Only HTTP/1.0 may omit Host; the upstream gets HTTP/1.1, which requires it (RFC 9112 section 3.2).
            worker.heads.append("Host: ")
            worker.heads.append(route.upstreamAuthority)
            worker.heads.append("\r\n")
        }
        if let length = head.contentLength {
            worker.heads.append("Content-Length: ")
            worker.heads.appendDecimal(length)
            worker.heads.append("\r\n")
        } else if head.chunked {
            worker.heads.append("Transfer-Encoding: chunked\r\n")
        }
        worker.heads.append("X-Forwarded-For: ")
        if let previous = head.forwardedFor {
            worker.heads.append(bytes, previous)
            worker.heads.append(", ")
        }
        worker.heads.append(peerIP)
        worker.heads.append("\r\nForwarded: ")
        if let previous = head.forwarded {
            worker.heads.append(bytes, previous)
            worker.heads.append(", ")
        }
        if peerIP.contains(UInt8(ascii: ":")) {
            worker.heads.append("for=\"[")
            worker.heads.append(peerIP)
            worker.heads.append("]\"")
        } else {
            worker.heads.append("for=")
            worker.heads.append(peerIP)
        }
        worker.heads.append(";proto=http")
        if let host = head.host {
            worker.heads.append(";host=\"")
            worker.heads.append(bytes, host)
            worker.heads.append("\"")
        }
        worker.heads.append("\r\nX-Request-Id: ")
        worker.heads.append(requestID)
        worker.heads.append("\r\n\r\n")
        worker.heads.copy(into: &forwardHead)
    }

    private func isListedInConnection(_ name: Range<Int>, _ head: RequestHead, _ bytes: UnsafeRawBufferPointer) -> Bool
    {
        var listed = false
        for index in 0..<head.fieldCount {
            let field = worker.fields[index]
            guard field.kind == .connection else { continue }
            RequestHeadParser.forEachToken(bytes, field.value) { token in
                guard token.count == name.count else { return }
                var same = true
                for offset in 0..<token.count
                where asciiLower(bytes[token.lowerBound + offset]) != asciiLower(bytes[name.lowerBound + offset]) {
                    same = false
                    break
                }
                if same { listed = true }
            }
        }
        return listed
    }

    private func makeInspectedRequest(_ head: RequestHead, _ bytes: UnsafeRawBufferPointer, function: String)
        -> InspectedRequest
    {
        var headers: [InspectedHeader] = []
        headers.reserveCapacity(head.fieldCount)
        for index in 0..<head.fieldCount {
            let field = worker.fields[index]
            headers.append(
                InspectedHeader(
                    name: Array(UnsafeRawBufferPointer(rebasing: bytes[field.name])),
                    value: Array(UnsafeRawBufferPointer(rebasing: bytes[field.value]))
                )
            )
        }
        return InspectedRequest(
            method: Array(UnsafeRawBufferPointer(rebasing: bytes[head.method])),
            target: Array(UnsafeRawBufferPointer(rebasing: bytes[head.target])),
            minorVersion: head.minorVersion,
            headers: headers,
            clientAddress: peerIP,
            functionName: function,
            requestID: requestID
        )
    }

    // MARK: Request body

    /// Consumes request body bytes; returns how many. 0 means stop (need more, error, or backpressure).
    func consumeBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        deadline = worker.now + milliseconds(worker.settings.bodyTimeoutMilliseconds)
        switch requestBody {
        case .none:
            requestBodyDone()
            return 0
        case .length(let remaining):
            let take = min(remaining, bytes.count)
            requestBody = .length(remaining - take)
            guard deliverBody(UnsafeRawBufferPointer(rebasing: bytes[0..<take])) else { return take }
            if remaining - take == 0 { requestBodyDone() }
            return take
        case .chunked(var decoder):
            var stopped = false
            let progress: ChunkedDecoder.Progress
            do {
                progress = try decoder.decode(bytes) { data in
                    guard !stopped else { return }
                    if !deliverBody(data) { stopped = true }
                }
            } catch {
                requestBody = .chunked(decoder)
                worker.metrics?.recordParserRejection(reason: error.code.rawValue)
                respondError(error.status, "malformed chunked body", close: true)
                return 0
            }
            requestBody = .chunked(decoder)
            if stopped { return progress.consumed }
            if progress.isDone { requestBodyDone() }
            return progress.consumed
        }
    }

    /// Hands decoded body bytes on (inspection buffer or upstream). False when the exchange ended.
    private func deliverBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bodyReceived += bytes.count
        if bodyReceived > maxBody {
            respondError(413, "request body too large", close: true)
            return false
        }
        if phase == .inspectingBody || upstream == nil {
            // Held for inspection, or (after it) until the pool provides a connection; `attach` sends it.
            inspectBuffer.append(contentsOf: bytes)
            if phase == .inspectingBody && inspectBuffer.count >= worker.settings.inspectionBufferBytes {
                return runBodyInspection(truncated: true)
            }
            return phase != .closed && phase != .closing
        }
        return writeBodyToUpstream(bytes)
    }

    /// Sends body bytes upstream with the request's framing (chunked is re-framed: one chunk per piece).
    @discardableResult
    func writeBodyToUpstream(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let upstream, !bytes.isEmpty else { return upstream != nil }
        let fd = upstream.connecting ? -1 : upstream.registration.fd
        let outcome: WriteOutcome
        let headPending = upstreamHeadPending
        upstreamHeadPending = false
        if chunkedToUpstream {
            outcome = withUnsafeTemporaryAllocation(byteCount: 24, alignment: 1) { prefix in
                var length = 0
                if wroteUpstreamChunk {
                    prefix[0] = 0x0D
                    prefix[1] = 0x0A
                    length = 2
                }
                length += Self.writeHex(bytes.count, into: UnsafeMutableRawBufferPointer(rebasing: prefix[length...]))
                prefix[length] = 0x0D
                prefix[length + 1] = 0x0A
                length += 2
                if headPending {
                    forwardHead.append(contentsOf: UnsafeRawBufferPointer(rebasing: prefix[0..<length]))
                    return forwardHead.withUnsafeBytes {
                        worker.write(owner: upstream, fd: fd, out: &upstream.out, $0, bytes)
                    }
                }
                return worker.write(
                    owner: upstream, fd: fd, out: &upstream.out, UnsafeRawBufferPointer(rebasing: prefix[0..<length]),
                    bytes)
            }
            wroteUpstreamChunk = true
        } else if headPending {
            outcome = forwardHead.withUnsafeBytes {
                worker.write(owner: upstream, fd: fd, out: &upstream.out, $0, bytes)
            }
        } else {
            outcome = worker.write(owner: upstream, fd: fd, out: &upstream.out, bytes)
        }
        if case .failed = outcome {
            upstreamFailed(status: 502, reason: "upstream write failed")
            return false
        }
        if upstream.out.count >= Self.highWaterMark {
            upstreamDeadline = worker.now + milliseconds(route?.function.timeoutMilliseconds ?? 30_000)
        }
        return true
    }

    static func writeHex(_ value: Int, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let digits: StaticString = "0123456789abcdef"
        var count = 1
        var probe = value >> 4
        while probe > 0 {
            count += 1
            probe >>= 4
        }
        var remaining = value
        for position in stride(from: count - 1, through: 0, by: -1) {
            buffer[position] = digits.utf8Start[remaining & 0xF]
            remaining >>= 4
        }
        return count
    }

    private func requestBodyDone() {
        requestComplete = true
        deadline = 0
        if phase == .inspectingBody {
            _ = runBodyInspection(truncated: false)
            return
        }
        finishRequestToUpstream()
    }

    /// Writes the held-back forwarded head when no body bytes came to go with it.
    func flushPendingUpstreamHead() {
        guard upstreamHeadPending else { return }
        upstreamHeadPending = false
        guard let upstream, phase == .exchange else { return }
        let fd = upstream.connecting ? -1 : upstream.registration.fd
        let outcome = forwardHead.withUnsafeBytes { worker.write(owner: upstream, fd: fd, out: &upstream.out, $0) }
        if case .failed = outcome {
            upstreamFailed(status: 502, reason: "upstream write failed")
            return
        }
        if !upstream.out.isEmpty { updateInterest() }
    }

    /// The request body ended: terminate the chunked framing and start the response clock.
    func finishRequestToUpstream() {
        flushPendingUpstreamHead()
        guard let upstream else { return }
        if chunkedToUpstream {
            let terminator: StaticString = wroteUpstreamChunk ? "\r\n0\r\n\r\n" : "0\r\n\r\n"
            let fd = upstream.connecting ? -1 : upstream.registration.fd
            let outcome = worker.write(
                owner: upstream, fd: fd, out: &upstream.out,
                UnsafeRawBufferPointer(start: terminator.utf8Start, count: terminator.utf8CodeUnitCount))
            if case .failed = outcome {
                upstreamFailed(status: 502, reason: "upstream write failed")
                return
            }
        }
        if responseState == .complete {
            // The upstream answered before the body ended: it may not have read it; never reuse it.
            upstreamKeepAlive = false
            finishExchange()
            return
        }
        if !upstream.connecting && responseState == .awaitingHead {
            upstreamDeadline = worker.now + milliseconds(route?.function.timeoutMilliseconds ?? 30_000)
        }
    }

    private func runBodyInspection(truncated: Bool) -> Bool {
        guard let transaction else {
            startForwarding()
            return phase != .closed
        }
        let verdict = inspectBuffer.withUnsafeBytes { transaction.inspectRequestBody($0, truncated: truncated) }
        if case .block(let status) = verdict {
            worker.counters.blocked.increment()
            action = .blocked
            respondError(status, "request blocked", close: !requestComplete || !keepAlive)
            return false
        }
        startForwarding()
        return phase == .exchange || phase == .waitingForPool
    }

    private func sendContinueIfExpected() {
        guard expectContinue, !sentContinue, !http10 else { return }
        sentContinue = true
        let line: StaticString = "HTTP/1.1 100 Continue\r\n\r\n"
        writeToClient(UnsafeRawBufferPointer(start: line.utf8Start, count: line.utf8CodeUnitCount))
    }

    // MARK: Upstream connections

    /// Gets an upstream connection from the pool (or waits for one) and sends the request.
    func startForwarding() {
        guard let pool else { return }
        switch pool.acquire(for: self, worker: worker) {
        case .connection(let connection):
            attach(connection)
        case .queued:
            phase = .waitingForPool
            deadline = worker.now + milliseconds(pool.route.function.timeoutMilliseconds)
            upstreamDeadline = 0
            updateInterest()
        case .failed(let error):
            worker.counters.upstreamFailures.increment()
            upstreamErrorKind = .connect
            worker.logger.debug(
                "upstream connect failed",
                metadata: ["function": "\(pool.route.functionName)", "errno": "\(error)"])
            respondError(502, "upstream unavailable", close: !requestComplete || !keepAlive)
        }
    }

    func poolProvided(_ connection: UpstreamConnection) {
        guard phase == .waitingForPool else {
            connection.pool.release(connection, reusable: connection.reused, worker: worker)
            return
        }
        deadline = 0
        attach(connection)
    }

    func poolFailed(_ error: Int32) {
        guard phase == .waitingForPool else { return }
        phase = .exchange
        worker.counters.upstreamFailures.increment()
        upstreamErrorKind = .connect
        respondError(502, "upstream unavailable", close: !requestComplete || !keepAlive)
    }

    /// Binds an upstream connection to this exchange and sends what is ready (head, inspected body prefix).
    private func attach(_ connection: UpstreamConnection) {
        if upstreamStartNanoseconds == 0 { upstreamStartNanoseconds = DispatchTime.now().uptimeNanoseconds }
        upstream = connection
        connection.client = self
        phase = .exchange
        responseState = .awaitingHead
        let timeouts = connection.pool.route.function
        upstreamDeadline = connection.connecting ? worker.now + milliseconds(timeouts.connectTimeoutMilliseconds) : 0
        let fd = connection.connecting ? -1 : connection.registration.fd
        // The inspected body prefix, or (inside `consume`) the body bytes of this read, take the head along in one
        // `writev`.
        upstreamHeadPending =
            fd >= 0 && connection.out.isEmpty && (!inspectBuffer.isEmpty || consuming && !requestComplete)
        let outcome =
            upstreamHeadPending
            ? WriteOutcome.ok
            : forwardHead.withUnsafeBytes { worker.write(owner: connection, fd: fd, out: &connection.out, $0) }
        if case .failed = outcome {
            upstreamFailed(status: 502, reason: "upstream write failed")
            return
        }
        if !inspectBuffer.isEmpty {
            let buffered = inspectBuffer
            inspectBuffer.removeAll(keepingCapacity: true)
            let written = buffered.withUnsafeBytes { writeBodyToUpstream($0) }
            guard written else { return }
        }
        if requestComplete {
            finishRequestToUpstream()
        } else {
            deadline = worker.now + milliseconds(worker.settings.bodyTimeoutMilliseconds)
            sendContinueIfExpected()
        }
        guard phase == .exchange else { return }
        updateInterest()
        if !consuming && !requestComplete { resumeInput() }
    }

    /// Detaches the upstream connection and gives it back (closed unless `reusable`).
    func detachUpstream(reusable: Bool) {
        guard let connection = upstream else { return }
        upstream = nil
        connection.pool.release(connection, reusable: reusable, worker: worker)
    }
}
