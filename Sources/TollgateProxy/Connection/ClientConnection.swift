import CTollgateSystem
import TollgateHTTP
import TollgateMetrics

/// One client connection and the exchange in progress on it (one request at a time: pipelined requests
/// wait, unread, in `input` and are answered strictly in order).
///
/// Confined to its worker's queue, like everything the worker owns; no locks.
final class ClientConnection: EventHandler {
    enum Phase {
        /// Between requests (keep-alive) or just accepted: no byte of the next head yet.
        case idle
        case readingHead
        /// Buffering the body for phase-2 inspection before any upstream is involved.
        case inspectingBody
        /// Waiting for the limit store's answer (Redis): the request is held, nothing is evaluated yet.
        case admitting
        /// Waiting in the pool's FIFO for an upstream connection.
        case waitingForPool
        /// An upstream connection is attached: request body and response streaming.
        case exchange
        /// Writing a final answer, then closing.
        case closing
        case closed
    }

    enum RequestBody {
        case none
        case length(Int)
        case chunked(TollgateHTTP.ChunkedDecoder)
    }

    enum ResponseBody {
        case none
        case length(Int)
        case chunked(ChunkScanner)
        case untilClose
    }

    enum ResponseState {
        case awaitingHead, body, complete
    }

    /// Above this many queued bytes the other side stops being read.
    static let highWaterMark = 64 * 1024

    /// Strong on purpose: every use of an `unowned` reference pays an atomic retain and release, and the
    /// worker drops its references to the connection when it closes (`Worker.remove`, `Worker.close`), so the
    /// cycle lasts only while the connection is open (when the worker is alive anyway).
    let worker: Worker
    var registration = Registration()
    let peerIP: [UInt8]
    var sweepIndex = -1
    var phase = Phase.idle
    /// Client-side deadline (head, body gap, pool wait, keep-alive idle, final write); 0 for none.
    var deadline: UInt64 = 0
    /// Upstream-side deadline (connect, response head, response gaps); 0 for none.
    var upstreamDeadline: UInt64 = 0

    var input: [UInt8] = []
    var inputStart = 0
    /// The request-head parser (resumable: it keeps its scan position across reads of one head).
    var parser: HTTPRequestParser
    var limits: HTTPParserLimits
    var out = OutputBuffer()
    /// True while `consume` runs, so that nested transitions do not re-enter it.
    var consuming = false
    var draining = false

    // The exchange in progress.
    var route: Router.Route?
    var pool: UpstreamPool?
    var upstream: UpstreamConnection?
    var requestBody = RequestBody.none
    var requestComplete = true
    var bodyReceived = 0
    var maxBody = 0
    var chunkedToUpstream = false
    var wroteUpstreamChunk = false
    var forwardHead: [UInt8] = []
    /// Where the upstream's base path sits in `forwardHead` (replaced when a budget degrades).
    var forwardBasePath = 0..<0
    /// `forwardHead` is held back until the body bytes that follow it in the same read, so head and body leave
    /// in one `writev` (one segment, one upstream wake-up); the caller of `consume` flushes it otherwise.
    var upstreamHeadPending = false
    var responseHead: [UInt8] = []
    var keepAlive = true
    var http10 = false
    var isHeadRequest = false
    var expectContinue = false
    var sentContinue = false
    var requestID: [UInt8] = []
    var responseState = ResponseState.awaitingHead
    var responseBody = ResponseBody.none
    var responseStarted = false
    var passthroughChunked = false
    var rechunkResponse = false
    var wroteResponseChunk = false
    var upstreamKeepAlive = true
    var closeAfterResponse = false
    var retried = false
    var responseStatus = 0
    /// Response body bytes shown to the inspector so far.
    var responseBodyInspected = 0
    var transaction: (any InspectionTransaction)?
    var inspectBuffer: [UInt8] = []

    // Request accounting (metrics, access log, limiter settlement).
    /// A request is in progress and not yet recorded (`endRequest`).
    var requestActive = false
    var requestStartNanoseconds: UInt64 = 0
    var upstreamStartNanoseconds: UInt64 = 0
    var upstreamEndNanoseconds: UInt64 = 0
    var action = RequestAction.allowed
    var upstreamErrorKind: UpstreamErrorKind?
    /// The route the request's metrics are recorded under (kept as the class reference: copying the
    /// function's metric handles, a struct of many references, costs a retain and a release per handle).
    var requestRoute: Router.Route?
    var limitTicket: LimitTicket?
    var limitBackend: (any LimitBackend)?
    var limitClientKey: [UInt8] = []
    var admissionPending = false
    /// Changes with every request and on close, so a late store answer can tell it is stale.
    var exchangeGeneration: UInt64 = 0
    /// Header lines (CRLF-terminated) added to the upstream's response (RateLimit fields).
    var responseExtraHeaders: [UInt8] = []
    /// Bytes written to the client for the current request (access log).
    var bytesSent = 0
    var logMethod: [UInt8] = []
    var logTarget: [UInt8] = []
    /// The request as the inspector sees it, built before admission (used after it).
    var pendingInspection: InspectedRequest?
    var pendingHasBody = false
    /// The response is held (head and body) until phase 4 has seen all of it.
    var holdingResponse = false
    var heldResponse: [UInt8] = []
    var responseFinalInspected = false

    private init(worker: Worker, peerIP: [UInt8]) {
        self.worker = worker
        self.peerIP = peerIP
        self.limits = worker.parserLimits
        self.parser = HTTPRequestParser(limits: worker.parserLimits)
    }

    /// Wraps an accepted socket and starts reading it.
    static func open(worker: Worker, fd: Int32, peerIP: [UInt8]) {
        let connection = ClientConnection(worker: worker, peerIP: peerIP)
        connection.registration = worker.register(
            fd: fd, handler: connection, interest: tollgate_EPOLLIN | tollgate_EPOLLRDHUP)
        guard connection.registration.isOpen else {
            _ = tollgate_close(fd)
            return
        }
        worker.add(client: connection)
        connection.deadline = worker.now + milliseconds(worker.settings.headerTimeoutMilliseconds)
        if worker.isDraining { connection.draining = true }
    }

    var upstreamBackpressured: Bool { (upstream?.out.count ?? 0) >= Self.highWaterMark }

    // MARK: Events

    func handleEvent(_ events: UInt32) {
        if events & tollgate_EPOLLOUT != 0 {
            clientWritable()
            if phase == .closed { return }
        }
        if events & (tollgate_EPOLLIN | tollgate_EPOLLHUP | tollgate_EPOLLERR | tollgate_EPOLLRDHUP) != 0 {
            switch phase {
            case .idle, .readingHead, .inspectingBody:
                clientReadable()
            case .exchange where !requestComplete:
                clientReadable()
            case .exchange, .waitingForPool, .admitting:
                readAhead()
            case .closing:
                if events & (tollgate_EPOLLHUP | tollgate_EPOLLERR | tollgate_EPOLLRDHUP) != 0 { close() }
            case .closed:
                return
            }
        }
    }

    /// Most unprocessed bytes read ahead (pipelined requests, body bytes that wait for an upstream) before the
    /// client stops being read.
    static let readAheadLimit = 64 * 1024

    /// Reads while the exchange does not need client bytes (so the socket can stay in the same epoll interest
    /// for the whole exchange): bytes are kept for later; end of stream means the client left.
    private func readAhead() {
        let count = tollgate_read(registration.fd, worker.readBuffer.baseAddress, worker.readBuffer.count)
        if count > 0 {
            input.append(contentsOf: UnsafeRawBufferPointer(start: worker.readBuffer.baseAddress, count: count))
            if input.count - inputStart >= Self.readAheadLimit { updateInterest() }
        } else if count == 0 || count != -Int(EAGAIN_VALUE) {
            close()
        }
    }

    private func clientReadable() {
        let count = tollgate_read(registration.fd, worker.readBuffer.baseAddress, worker.readBuffer.count)
        if count > 0 {
            ingest(count)
        } else if count == 0 || count != -Int(EAGAIN_VALUE) {
            // End of stream or error: a client that leaves mid-request gets nothing; any upstream is closed.
            close()
        }
    }

    private func ingest(_ count: Int) {
        let fresh = UnsafeRawBufferPointer(start: worker.readBuffer.baseAddress, count: count)
        if inputStart == input.count {
            consuming = true
            let used = consume(fresh)
            consuming = false
            flushPendingUpstreamHead()
            if phase != .closed && used < count {
                input.removeAll(keepingCapacity: true)
                inputStart = 0
                input.append(contentsOf: UnsafeRawBufferPointer(rebasing: fresh[used...]))
            }
        } else {
            input.append(contentsOf: fresh)
            consumeInput()
        }
        updateInterest()
    }

    /// Processes bytes already buffered in `input` (pipelined requests, body bytes that waited).
    func consumeInput() {
        guard !consuming, phase != .closed, inputStart < input.count else { return }
        consuming = true
        let used = input.withUnsafeBytes { raw in consume(UnsafeRawBufferPointer(rebasing: raw[inputStart...])) }
        consuming = false
        flushPendingUpstreamHead()
        guard phase != .closed else { return }
        inputStart += used
        if inputStart == input.count {
            if input.capacity > 128 * 1024 {
                input = []
            } else {
                input.removeAll(keepingCapacity: true)
            }
            inputStart = 0
        } else if inputStart >= 32 * 1024 {
            input.removeFirst(inputStart)
            inputStart = 0
        }
    }

    /// Continues after a transition that allows more input to be processed.
    func resumeInput() {
        consumeInput()
        updateInterest()
    }

    /// The state machine over client bytes; returns how many it consumed. Must not touch `input`.
    private func consume(_ bytes: UnsafeRawBufferPointer) -> Int {
        var offset = 0
        while true {
            switch phase {
            case .closed, .closing, .waitingForPool, .admitting:
                return offset
            case .idle, .readingHead:
                guard out.isEmpty, offset < bytes.count else { return offset }
                if phase == .idle {
                    phase = .readingHead
                    deadline = worker.now + milliseconds(worker.settings.headerTimeoutMilliseconds)
                }
                switch parser.parseHead(UnsafeRawBufferPointer(rebasing: bytes[offset...])) {
                case .needMore:
                    return offset
                case .failure(let error):
                    worker.counters.requests.increment()
                    recordParserRejection(error.code.rawValue)
                    respondError(error.status, error.reason, close: true)
                    return offset
                case .complete(let parsed, let headLength):
                    offset += headLength
                    guard let head = RequestHead(parsed, fields: &worker.fields) else {
                        worker.counters.requests.increment()
                        recordParserRejection("invalidTarget")
                        respondError(400, "unsupported request target", close: true)
                        return offset
                    }
                    parsed.rawBytes.withUnsafeBytes { beginRequest(head, $0) }
                }
            case .inspectingBody, .exchange:
                guard !requestComplete, offset < bytes.count, !upstreamBackpressured else { return offset }
                let used = consumeBody(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
                offset += used
                if used == 0 { return offset }
            }
        }
    }

    private func clientWritable() {
        if out.flush(fd: registration.fd) != 0 {
            close()
            return
        }
        guard out.isEmpty else {
            updateInterest()
            return
        }
        switch phase {
        case .closing:
            close()
        case .idle, .readingHead:
            resumeInput()
        default:
            updateInterest()
        }
    }

    /// Sets the epoll interest of the client socket and of the attached upstream from the state.
    func updateInterest() {
        guard phase != .closed else { return }
        // Steady state: the client is watched for input and hang-up through the whole exchange and the
        // upstream for input, so a keep-alive request normally costs no epoll_ctl at all.
        let readIn = tollgate_EPOLLIN | tollgate_EPOLLRDHUP
        var mask: UInt32 = out.isEmpty ? 0 : tollgate_EPOLLOUT
        switch phase {
        case .idle, .readingHead:
            mask |= out.isEmpty ? readIn : tollgate_EPOLLRDHUP
        case .inspectingBody:
            mask |= readIn
        case .exchange, .waitingForPool, .admitting:
            if phase == .exchange && !requestComplete {
                mask |= upstreamBackpressured ? tollgate_EPOLLRDHUP : readIn
            } else {
                mask |= input.count - inputStart < Self.readAheadLimit ? readIn : tollgate_EPOLLRDHUP
            }
        case .closing, .closed:
            break
        }
        worker.setInterest(&registration, mask)
        if let upstream {
            var upstreamMask: UInt32 = 0
            if upstream.connecting || !upstream.out.isEmpty { upstreamMask |= tollgate_EPOLLOUT }
            if !upstream.connecting {
                upstreamMask |= out.count < Self.highWaterMark ? readIn : tollgate_EPOLLRDHUP
            }
            upstream.setInterest(upstreamMask)
        }
    }

    // MARK: Writing to the client

    /// Writes to the client (directly, or queued on backpressure). False when the client is gone (closed).
    @discardableResult
    func writeToClient(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer = .init(start: nil, count: 0))
        -> Bool
    {
        bytesSent &+= first.count &+ second.count
        switch worker.write(owner: self, fd: registration.fd, out: &out, first, second) {
        case .ok:
            return true
        case .failed:
            close()
            return false
        }
    }

    // MARK: Deadlines and closing

    func checkDeadline(now: UInt64) {
        if upstreamDeadline != 0 && now >= upstreamDeadline {
            upstreamDeadline = 0
            if responseStarted {
                close()
            } else if let upstream, upstream.connecting {
                upstreamFailed(status: 504, reason: "upstream connect timed out")
            } else {
                upstreamFailed(status: 504, reason: "upstream timed out")
            }
            return
        }
        guard deadline != 0 && now >= deadline else { return }
        deadline = 0
        switch phase {
        case .idle, .closing, .closed:
            close()
        case .readingHead, .inspectingBody:
            respondError(408, "request timed out", close: true)
        case .waitingForPool:
            upstreamErrorKind = .timeout
            respondError(504, "no upstream connection available in time", close: true)
        case .admitting:
            admissionPending = false
            respondError(503, "limit store did not answer in time", close: true)
        case .exchange:
            if responseStarted {
                close()
            } else if !requestComplete && upstreamBackpressured {
                // The proxy stopped reading the client because the upstream is slow to take the body: not the
                // client's fault; the upstream deadline covers that stall.
                deadline = now + milliseconds(worker.settings.bodyTimeoutMilliseconds)
            } else {
                respondError(408, "request body timed out", close: true)
            }
        }
    }

    /// Closes once everything written has left: now if the socket took it all, else when `out` drains. Bytes the
    /// worker holds for this batch are sent first, so what the socket cannot take yet waits in `out` instead of
    /// being dropped with the socket.
    func closeWhenSent() {
        if case .failed = worker.sendHeld(fd: registration.fd, out: &out) {
            close()
            return
        }
        if out.isEmpty { close() } else { updateInterest() }
    }

    /// Stop accepting new requests on this connection: close it now when idle, else after the current answer.
    func drain() {
        draining = true
        keepAlive = false
        if phase == .idle && inputStart == input.count && out.isEmpty {
            close()
        }
    }

    /// Closes the client socket; an attached upstream is closed too (never pooled mid-exchange).
    func close() {
        guard phase != .closed else { return }
        let wasWaiting = phase == .waitingForPool
        phase = .closed
        if let upstream {
            self.upstream = nil
            upstream.pool.release(upstream, reusable: false, worker: worker)
        }
        if wasWaiting { pool?.cancelWait(self) }
        endRequest(status: 0)
        exchangeGeneration &+= 1
        admissionPending = false
        pool = nil
        route = nil
        worker.close(&registration)
        worker.remove(client: self)
        out.reset()
    }
}

extension ClientConnection: CorkedOutputOwner {
    func corkedRemainder(_ rest: UnsafeRawBufferPointer) {
        guard phase != .closed else { return }
        out.append(rest)
        updateInterest()
    }

    func corkedWriteFailed() { close() }
}
