import CTollgateSystem
import Dispatch

extension ClientConnection {
    /// Readiness of the attached upstream connection.
    func upstreamEvent(_ events: UInt32) {
        guard let connection = upstream else { return }
        if connection.connecting {
            if events & (tollgate_EPOLLOUT | tollgate_EPOLLERR | tollgate_EPOLLHUP) == 0 { return }
            let error = tollgate_socket_error(connection.registration.fd)
            if error != 0 || events & (tollgate_EPOLLERR | tollgate_EPOLLHUP) != 0 && events & tollgate_EPOLLOUT == 0 {
                upstreamFailed(status: 502, reason: "upstream connection refused")
                return
            }
            connection.connecting = false
            upstreamDeadline =
                requestComplete ? worker.now + milliseconds(connection.pool.route.function.timeoutMilliseconds) : 0
        }
        if events & tollgate_EPOLLOUT != 0 || !connection.out.isEmpty {
            if connection.out.flush(fd: connection.registration.fd) != 0 {
                upstreamFailed(status: 502, reason: "upstream write failed")
                return
            }
            if connection.out.count < Self.highWaterMark && !requestComplete {
                if upstreamDeadline != 0 && responseState == .awaitingHead { upstreamDeadline = 0 }
                resumeInput()
            }
            guard upstream === connection else { return }
        }
        if events & (tollgate_EPOLLIN | tollgate_EPOLLHUP | tollgate_EPOLLERR | tollgate_EPOLLRDHUP) != 0 {
            upstreamReadable(connection)
        }
        if upstream === connection { updateInterest() }
    }

    private func upstreamReadable(_ connection: UpstreamConnection) {
        let count = tollgate_read(connection.registration.fd, worker.readBuffer.baseAddress, worker.readBuffer.count)
        if count == -Int(EAGAIN_VALUE) { return }
        if count <= 0 {
            if responseState == .body, case .untilClose = responseBody {
                upstreamKeepAlive = false
                finishUntilCloseBody()
                return
            }
            if responseState == .complete {
                detachUpstream(reusable: false)
                return
            }
            upstreamFailed(status: 502, reason: count == 0 ? "upstream closed the connection" : "upstream reset")
            return
        }
        upstreamDeadline = worker.now + milliseconds(connection.pool.route.function.timeoutMilliseconds)
        let fresh = UnsafeRawBufferPointer(start: worker.readBuffer.baseAddress, count: count)
        switch responseState {
        case .awaitingHead:
            if connection.input.isEmpty {
                processResponseHead(fresh, connection)
            } else {
                var buffered = connection.input
                connection.input = []
                buffered.append(contentsOf: fresh)
                buffered.withUnsafeBytes { processResponseHead($0, connection) }
            }
        case .body:
            if holdingResponse {
                holdResponseBody(fresh)
            } else {
                forwardResponseBody(fresh, prefix: nil)
            }
        case .complete:
            // Bytes after a complete response: the connection cannot be reused.
            upstreamKeepAlive = false
        }
    }

    /// Largest upstream response head (status line and fields) relayed; a larger one is a 502.
    static let maxResponseHeadBytes = 64 * 1024

    /// Parses response heads (skipping or relaying 1xx), sends the head to the client and starts the body.
    private func processResponseHead(_ bytes: UnsafeRawBufferPointer, _ connection: UpstreamConnection) {
        var offset = 0
        while responseState == .awaitingHead {
            let window = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            let head: ResponseHead
            let end: Int
            switch ResponseHeadParser.parse(window, fields: &worker.fields) {
            case .needMore:
                if window.count > Self.maxResponseHeadBytes {
                    upstreamFailed(status: 502, reason: "upstream response head too large")
                } else {
                    connection.input.append(contentsOf: window)
                }
                return
            case .invalid:
                upstreamFailed(status: 502, reason: "malformed upstream response")
                return
            case .complete(let parsed, let headEnd):
                // The same bound whether the head arrived in one read or in several.
                guard headEnd <= Self.maxResponseHeadBytes else {
                    upstreamFailed(status: 502, reason: "upstream response head too large")
                    return
                }
                head = parsed
                end = headEnd
            }
            offset += end
            if head.status < 200 {
                if head.status == 101 {
                    upstreamFailed(status: 502, reason: "unexpected protocol switch")
                    return
                }
                // 100 is the proxy's own business (it answered Expect itself); other 1xx go to 1.1 clients.
                if head.status != 100 && !http10 {
                    buildClientHead(head, window, final: false)
                    guard responseHead.withUnsafeBytes({ writeToClient($0) }) else { return }
                }
                continue
            }
            worker.counters.upstreamResponses.increment()
            responseStatus = head.status
            if let transaction {
                let headers = (0..<head.fieldCount).map { index in
                    let field = worker.fields[index]
                    return InspectedHeader(
                        name: Array(UnsafeRawBufferPointer(rebasing: window[field.name])),
                        value: Array(UnsafeRawBufferPointer(rebasing: window[field.value])))
                }
                if case .block(let status) = transaction.inspectResponseHead(status: head.status, headers: headers) {
                    worker.counters.blocked.increment()
                    action = .blocked
                    upstreamKeepAlive = false
                    detachUpstream(reusable: false)
                    respondError(status, "response blocked", close: !requestComplete || !keepAlive)
                    return
                }
            }
            upstreamKeepAlive = head.keepAlive
            if isHeadRequest || head.status == 204 || head.status == 304 {
                responseBody = .none
            } else if head.chunked {
                responseBody = .chunked(ChunkScanner())
                passthroughChunked = !http10
                if http10 { closeAfterResponse = true }
            } else if let length = head.contentLength {
                responseBody = .length(length)
            } else {
                responseBody = .untilClose
                upstreamKeepAlive = false
                if http10 { closeAfterResponse = true } else { rechunkResponse = true }
            }
            if !keepAlive || draining || !requestComplete { closeAfterResponse = true }
            buildClientHead(head, window, final: true)
            responseState = .body
            let rest = UnsafeRawBufferPointer(rebasing: window[end...])
            if let transaction, transaction.holdsResponseBody, case .length(let length) = responseBody,
                length <= worker.settings.inspectionBufferBytes
            {
                // Phase 4 decides before anything is sent, so a blocked response is a clean error answer.
                holdingResponse = true
                heldResponse.removeAll(keepingCapacity: true)
                heldResponse.append(contentsOf: responseHead)
                if length == 0 {
                    releaseHeldResponse()
                } else {
                    holdResponseBody(rest)
                }
                return
            }
            responseHead.withUnsafeBytes { forwardResponseBody(rest, prefix: $0) }
            return
        }
    }

    /// The response head as the client gets it: HTTP/1.1 status line, hop-by-hop fields removed, framing and
    /// connection handling the proxy's own.
    private func buildClientHead(_ head: ResponseHead, _ bytes: UnsafeRawBufferPointer, final: Bool) {
        // Assembled in the worker's buffer (an append is a memcpy), then copied into `responseHead` once.
        let worker = self.worker
        worker.heads.reset()
        defer { worker.heads.copy(into: &responseHead) }
        worker.heads.append("HTTP/1.1 ")
        worker.heads.append(bytes, head.statusText)
        worker.heads.append("\r\n")
        let fields = worker.fields
        worker.heads.appendFieldLines(bytes, fields, count: head.fieldCount) { field in
            switch field.kind {
            case .connection, .keepAlive, .proxyConnection, .te, .trailer, .transferEncoding, .upgrade:
                return false
            default:
                return !(head.hasConnectionOptions && isListedInResponseConnection(field.name, head, bytes))
            }
        }
        guard final else {
            worker.heads.append("\r\n")
            return
        }
        if passthroughChunked || rechunkResponse {
            worker.heads.append("Transfer-Encoding: chunked\r\n")
        }
        if !responseExtraHeaders.isEmpty { worker.heads.append(responseExtraHeaders) }
        if !head.hasRequestID {
            worker.heads.append("X-Request-Id: ")
            worker.heads.append(requestID)
            worker.heads.append("\r\n")
        }
        if closeAfterResponse {
            worker.heads.append("Connection: close\r\n")
        } else if http10 {
            worker.heads.append("Connection: keep-alive\r\n")
        }
        worker.heads.append("\r\n")
    }

    private func isListedInResponseConnection(_ name: Range<Int>, _ head: ResponseHead, _ bytes: UnsafeRawBufferPointer)
        -> Bool
    {
        var listed = false
        for index in 0..<head.fieldCount {
            let field = worker.fields[index]
            guard field.kind == .connection else { continue }
            RequestHeadParser.forEachToken(bytes, field.value) { token in
                guard token.count == name.count else { return }
                for offset in 0..<token.count
                where asciiLower(bytes[token.lowerBound + offset]) != asciiLower(bytes[name.lowerBound + offset]) {
                    return
                }
                listed = true
            }
        }
        return listed
    }

    /// Forwards response body bytes with the framing chosen for the client; `prefix` is the response head when
    /// it has not been written yet (so head and first body bytes leave in one `writev`).
    private func forwardResponseBody(_ bytes: UnsafeRawBufferPointer, prefix: UnsafeRawBufferPointer?) {
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        if prefix != nil { responseStarted = true }
        switch responseBody {
        case .none:
            if let prefix { guard writeToClient(prefix) else { return } }
            if !bytes.isEmpty { upstreamKeepAlive = false }
            responseComplete()
        case .length(let remaining):
            let take = min(remaining, bytes.count)
            guard inspectResponseBody(UnsafeRawBufferPointer(rebasing: bytes[0..<take]), isFinal: false) else { return }
            guard writeToClient(prefix ?? empty, UnsafeRawBufferPointer(rebasing: bytes[0..<take])) else { return }
            responseBody = .length(remaining - take)
            if take < bytes.count { upstreamKeepAlive = false }
            if remaining - take == 0 { responseComplete() }
        case .chunked(var decoder):
            var position = 0
            var pendingPrefix = prefix
            var finished = false
            var failed = false
            decode: while true {
                let (event, next) = decoder.next(bytes, from: position)
                switch event {
                case .data(let range):
                    guard inspectResponseBody(UnsafeRawBufferPointer(rebasing: bytes[range]), isFinal: false) else {
                        return
                    }
                    if !passthroughChunked {
                        guard writeToClient(pendingPrefix ?? empty, UnsafeRawBufferPointer(rebasing: bytes[range]))
                        else { return }
                        pendingPrefix = nil
                    }
                    position = next
                case .needMore:
                    position = next
                    break decode
                case .done:
                    position = next
                    finished = true
                    break decode
                case .error:
                    failed = true
                    break decode
                }
            }
            responseBody = .chunked(decoder)
            if passthroughChunked {
                guard writeToClient(pendingPrefix ?? empty, UnsafeRawBufferPointer(rebasing: bytes[0..<position]))
                else { return }
            } else if let pendingPrefix {
                guard writeToClient(pendingPrefix) else { return }
            }
            if failed {
                worker.counters.upstreamFailures.increment()
                upstreamErrorKind = .protocolError
                close()
                return
            }
            if finished {
                if position < bytes.count { upstreamKeepAlive = false }
                responseComplete()
            }
        case .untilClose:
            if let prefix { guard writeToClient(prefix) else { return } }
            guard !bytes.isEmpty, inspectResponseBody(bytes, isFinal: false) else { return }
            if rechunkResponse {
                withUnsafeTemporaryAllocation(byteCount: 24, alignment: 1) { header in
                    var length = 0
                    if wroteResponseChunk {
                        header[0] = 0x0D
                        header[1] = 0x0A
                        length = 2
                    }
                    length += Self.writeHex(
                        bytes.count, into: UnsafeMutableRawBufferPointer(rebasing: header[length...]))
                    header[length] = 0x0D
                    header[length + 1] = 0x0A
                    length += 2
                    writeToClient(UnsafeRawBufferPointer(rebasing: header[0..<length]), bytes)
                }
                wroteResponseChunk = true
            } else {
                writeToClient(bytes)
            }
        }
    }

    /// Buffers a held response's body (a known length within the inspection buffer); when it is complete,
    /// runs the final phase-4 inspection and then sends it or answers the block.
    private func holdResponseBody(_ bytes: UnsafeRawBufferPointer) {
        guard case .length(let remaining) = responseBody else { return }
        let take = min(remaining, bytes.count)
        let piece = UnsafeRawBufferPointer(rebasing: bytes[0..<take])
        guard inspectResponseBody(piece, isFinal: false) else { return }
        heldResponse.append(contentsOf: piece)
        responseBody = .length(remaining - take)
        if take < bytes.count { upstreamKeepAlive = false }
        if remaining - take == 0 { releaseHeldResponse() }
    }

    private func releaseHeldResponse() {
        holdingResponse = false
        responseFinalInspected = true
        if let transaction,
            case .block(let status) = transaction.inspectResponseBody(
                UnsafeRawBufferPointer(start: nil, count: 0), isFinal: true),
            !replaceHeldResponse(transaction)
        {
            worker.counters.blocked.increment()
            action = .blocked
            heldResponse.removeAll(keepingCapacity: true)
            responseState = .complete
            detachUpstream(reusable: upstreamKeepAlive && requestComplete)
            respondError(status, "response blocked", close: !requestComplete || !keepAlive)
            return
        }
        responseStarted = true
        let held = heldResponse
        heldResponse.removeAll(keepingCapacity: true)
        guard held.withUnsafeBytes({ writeToClient($0) }) else { return }
        responseComplete()
    }

    /// Swaps a blocked held response (head then body) for the inspector's replacement, if it offers one (e.g.
    /// with leaked secrets redacted). False: answer the block.
    private func replaceHeldResponse(_ transaction: any InspectionTransaction) -> Bool {
        guard heldResponse.count >= responseHead.count,
            let replacement = transaction.replacementForBlockedResponse(
                head: responseHead, body: heldResponse[responseHead.count...])
        else { return false }
        heldResponse = replacement
        return true
    }

    /// Shows response body bytes to the inspector (up to the inspection limit). False when it blocked: the
    /// connection is then closed.
    private func inspectResponseBody(_ bytes: UnsafeRawBufferPointer, isFinal: Bool) -> Bool {
        guard let transaction else { return true }
        if isFinal {
            if responseFinalInspected { return true }
            responseFinalInspected = true
        }
        let room = worker.settings.inspectionBufferBytes - responseBodyInspected
        if !isFinal && room <= 0 { return true }
        let shown = isFinal ? bytes : UnsafeRawBufferPointer(rebasing: bytes[0..<min(room, bytes.count)])
        responseBodyInspected += shown.count
        if case .block = transaction.inspectResponseBody(shown, isFinal: isFinal) {
            worker.counters.blocked.increment()
            action = .blocked
            close()
            return false
        }
        return true
    }

    private func finishUntilCloseBody() {
        if rechunkResponse {
            let terminator: StaticString = wroteResponseChunk ? "\r\n0\r\n\r\n" : "0\r\n\r\n"
            guard
                writeToClient(UnsafeRawBufferPointer(start: terminator.utf8Start, count: terminator.utf8CodeUnitCount))
            else { return }
        } else {
            closeAfterResponse = true
        }
        responseComplete()
    }

    private func responseComplete() {
        guard phase != .closed else { return }
        guard inspectResponseBody(UnsafeRawBufferPointer(start: nil, count: 0), isFinal: true) else { return }
        responseState = .complete
        upstreamDeadline = 0
        if !requestComplete {
            // Answered before the request body ended: the rest of it is never read; close both sides after.
            upstreamKeepAlive = false
            closeAfterResponse = true
            requestComplete = true
        }
        finishExchange()
    }

    /// The exchange is over: give the upstream back, then close or wait for the next request.
    func finishExchange() {
        if upstreamEndNanoseconds == 0 { upstreamEndNanoseconds = DispatchTime.now().uptimeNanoseconds }
        detachUpstream(reusable: upstreamKeepAlive && requestComplete && responseState == .complete)
        endRequest(status: responseStatus)
        if closeAfterResponse || !keepAlive || draining {
            phase = .closing
            deadline = worker.now + milliseconds(worker.settings.bodyTimeoutMilliseconds)
            closeWhenSent()
            return
        }
        resetExchange()
        phase = .idle
        deadline = worker.now + milliseconds(worker.settings.keepAliveTimeoutMilliseconds)
        if out.isEmpty { consumeInput() }
        updateInterest()
    }

    /// The upstream failed (refused, reset, garbled, timed out): retry once on a fresh connection when that
    /// is safe, else answer `status` (or just close when the response already started).
    func upstreamFailed(status: Int, reason: StaticString) {
        guard phase != .closed else { return }
        worker.counters.upstreamFailures.increment()
        if let connection = upstream, connection.reused, !retried, !responseStarted, responseState == .awaitingHead,
            case .none = requestBody, connection.input.isEmpty, status == 502
        {
            // A reused keep-alive connection the upstream closed meanwhile: the request never got there.
            retried = true
            detachUpstream(reusable: false)
            startForwarding()
            return
        }
        detachUpstream(reusable: false)
        if upstreamEndNanoseconds == 0 { upstreamEndNanoseconds = DispatchTime.now().uptimeNanoseconds }
        upstreamErrorKind = Self.upstreamErrorKind(status: status, reason: reason)
        if responseStarted {
            close()
            return
        }
        worker.logger.debug(
            "upstream failed",
            metadata: ["function": "\(route?.functionName ?? "-")", "status": "\(status)", "reason": "\(reason)"])
        respondError(status, reason, close: !requestComplete || !keepAlive)
    }
}
