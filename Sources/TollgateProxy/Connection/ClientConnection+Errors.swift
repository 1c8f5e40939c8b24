extension ClientConnection {
    /// Answers the current request with a short JSON error (`{"error":...,"status":N,"request_id":...}`).
    ///
    /// `close`: close the connection after the answer (always when the request body was not read whole).
    /// When part of an upstream response already reached the client, the connection is just closed.
    func respondError(_ status: Int, _ reason: StaticString, close closeAfter: Bool, allow: [UInt8]? = nil) {
        guard phase != .closed else { return }
        if responseStarted {
            close()
            return
        }
        if requestID.isEmpty { worker.requestIDs.next(into: &requestID) }
        // Body first (its length goes in the head), then the head in front of it.
        var body: [UInt8] = []
        body.reserveCapacity(96 + requestID.count)
        body.append(contentsOf: #"{"error":""#.utf8)
        body.append(contentsOf: UnsafeRawBufferPointer(start: reason.utf8Start, count: reason.utf8CodeUnitCount))
        body.append(contentsOf: #"","status":"#.utf8)
        body.append(contentsOf: String(status).utf8)
        body.append(contentsOf: #","request_id":""#.utf8)
        body.append(contentsOf: requestID)
        body.append(contentsOf: "\"}\n".utf8)
        respondJSON(status, body: body, extraHeaders: [], allow: allow, close: closeAfter)
    }

    /// Answers the current request with `body` (JSON) and extra header lines (each ending in CRLF).
    func respondJSON(
        _ status: Int, body: [UInt8], extraHeaders: [UInt8], allow: [UInt8]? = nil, close closeAfter: Bool = false
    ) {
        guard phase != .closed else { return }
        if responseStarted {
            close()
            return
        }
        worker.counters.localResponses.increment()
        if phase == .waitingForPool { pool?.cancelWait(self) }
        detachUpstream(reusable: false)
        if requestID.isEmpty { worker.requestIDs.next(into: &requestID) }
        let closing = closeAfter || !keepAlive || draining || !requestComplete
        if action == .allowed { action = .error }

        var text = worker.scratch
        worker.scratch = []
        text.removeAll(keepingCapacity: true)

        text.append(contentsOf: "HTTP/1.1 ".utf8)
        text.append(contentsOf: String(status).utf8)
        text.append(0x20)
        text.append(contentsOf: Self.reasonPhrase(status).utf8)
        text.append(contentsOf: "\r\nContent-Type: application/json\r\nContent-Length: ".utf8)
        text.append(contentsOf: String(body.count).utf8)
        text.append(contentsOf: "\r\nX-Request-Id: ".utf8)
        text.append(contentsOf: requestID)
        if let allow {
            text.append(contentsOf: "\r\nAllow: ".utf8)
            text.append(contentsOf: allow)
        }
        if !extraHeaders.isEmpty {
            text.append(contentsOf: "\r\n".utf8)
            text.append(contentsOf: extraHeaders.dropLast(2))
        }
        text.append(contentsOf: closing ? "\r\nConnection: close\r\n\r\n".utf8 : "\r\n\r\n".utf8)
        if !isHeadRequest { text.append(contentsOf: body) }
        // Recorded before the write (a failed write closes the connection).
        bytesSent &+= text.count
        endRequest(status: status)
        let written = text.withUnsafeBytes { writeToClient($0) }
        worker.scratch = text
        guard written else { return }

        if closing {
            phase = .closing
            deadline = worker.now + milliseconds(worker.settings.bodyTimeoutMilliseconds)
            closeWhenSent()
            return
        }
        resetExchange()
        phase = .idle
        deadline = worker.now + milliseconds(worker.settings.keepAliveTimeoutMilliseconds)
        if !consuming { resumeInput() }
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 417: return "Expectation Failed"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default: return "Error"
        }
    }
}
