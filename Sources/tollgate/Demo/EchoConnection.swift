import TollgateHTTP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One client connection of the demo echo function: reads requests with the strict TollgateHTTP parser
/// (keep-alive, pipelining, chunked bodies, `Expect: 100-continue`), answers each with a JSON echo.
/// Blocking I/O with socket timeouts; every read is bounded.
struct EchoConnection {
    static let maxHeadBytes = 16 * 1024
    static let maxBodyBytes = 64 * 1024 * 1024
    static let ioTimeoutSeconds = 10
    static let maxDelayMilliseconds = 30_000

    /// Request parsing limits: the parser's defaults with a smaller head.
    static let limits = HTTPParserLimits(maxRequestLineBytes: 8 * 1024, maxHeaderBytes: maxHeadBytes)

    let descriptor: Int32
    private var parser = HTTPRequestParser(limits: limits)
    /// Received bytes not yet consumed.
    private var buffer: [UInt8] = []
    private var readChunk = [UInt8](repeating: 0, count: 16 * 1024)

    init(descriptor: Int32) {
        self.descriptor = descriptor
        var timeout = timeval(tv_sec: Self.ioTimeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Serves requests until the client closes, asks to close, times out or sends something invalid.
    mutating func serve() {
        while true {
            let head: HTTPRequestHead
            switch readHead() {
            case .head(let parsed): head = parsed
            case .closed: return
            case .failed(let status):
                Self.refuse(descriptor, status: status)
                return
            }
            let request = EchoRequest(head: head)
            if head.expectsContinue, head.bodyFraming != .none {
                guard Self.writeAll(descriptor, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) else { return }
            }
            let bodyLength: Int
            switch readBody(head.bodyFraming) {
            case .success(let length): bodyLength = length
            case .failure(let failure):
                if failure.status != 0 { Self.refuse(descriptor, status: failure.status) }
                return
            }
            let delay = min(request.queryInteger("delay_ms") ?? 0, Self.maxDelayMilliseconds)
            if delay > 0 { usleep(useconds_t(delay) * 1000) }
            var status = request.queryInteger("status") ?? 200
            if !(200...599).contains(status) || status == 204 || status == 304 { status = 200 }
            let body = request.echoJSON(bodyLength: bodyLength)
            let keepAlive = head.keepAlive
            var response = "HTTP/1.1 \(status) \(Self.reason(status))\r\ncontent-type: application/json\r\n"
            response += "content-length: \(body.utf8.count)\r\n"
            if !keepAlive { response += "connection: close\r\n" }
            response += "\r\n"
            var bytes = Array(response.utf8)
            if head.method != .head { bytes += body.utf8 }
            guard Self.writeAll(descriptor, bytes), keepAlive else { return }
        }
    }

    // MARK: Reading

    enum HeadResult {
        case head(HTTPRequestHead)
        case closed
        case failed(Int)
    }

    /// Reads until the strict TollgateHTTP parser has a complete head (it enforces the size limits as
    /// bytes arrive, so an endless head is refused early).
    private mutating func readHead() -> HeadResult {
        while true {
            if !buffer.isEmpty {
                switch parser.parseHead(buffer) {
                case .complete(let head, let headLength):
                    buffer.removeSubrange(..<headLength)
                    return .head(head)
                case .failure(let error):
                    return .failed(error.status)
                case .needMore:
                    break
                }
            }
            switch fill() {
            case .data: continue
            case .closed: return .closed
            case .timedOut: return buffer.isEmpty ? .closed : .failed(408)
            }
        }
    }

    private mutating func readBody(_ framing: HTTPBodyFraming) -> Result<Int, EchoFailure> {
        switch framing {
        case .none:
            return .success(0)
        case .contentLength(let length):
            guard length <= Self.maxBodyBytes else { return .failure(EchoFailure(status: 413)) }
            return discard(length) ? .success(length) : .failure(EchoFailure(status: 0))
        case .chunked:
            var decoder = ChunkedDecoder(limits: Self.limits)
            while true {
                if buffer.isEmpty {
                    guard case .data = fill() else { return .failure(EchoFailure(status: 0)) }
                }
                let progress: ChunkedDecoder.Progress
                do {
                    var ignored: [UInt8] = []
                    progress = try decoder.decode(buffer, into: &ignored)
                } catch {
                    return .failure(EchoFailure(status: error.status))
                }
                buffer.removeSubrange(..<progress.consumed)
                guard decoder.decodedByteCount <= Self.maxBodyBytes else { return .failure(EchoFailure(status: 413)) }
                if progress.isDone { return .success(decoder.decodedByteCount) }
            }
        case .untilClose:
            return .failure(EchoFailure(status: 400))
        }
    }

    /// Consumes and drops `count` body bytes.
    private mutating func discard(_ count: Int) -> Bool {
        var remaining = count
        while remaining > 0 {
            if buffer.isEmpty {
                guard case .data = fill() else { return false }
            }
            let take = min(remaining, buffer.count)
            buffer.removeSubrange(..<take)
            remaining -= take
        }
        return true
    }

    enum FillResult { case data, closed, timedOut }

    private mutating func fill() -> FillResult {
        while true {
            let received = readChunk.withUnsafeMutableBytes { chunk in
                recv(descriptor, chunk.baseAddress, chunk.count, 0)
            }
            if received > 0 {
                buffer.append(contentsOf: readChunk[..<received])
                return .data
            }
            if received == 0 { return .closed }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .timedOut
            default: return .closed
            }
        }
    }

    // MARK: Writing

    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return true }
            var offset = 0
            while offset < raw.count {
                let sent = send(descriptor, base + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 && errno == EINTR { continue }
                if sent <= 0 { return false }
                offset += sent
            }
            return true
        }
    }

    /// A short JSON error answer, then the caller closes.
    static func refuse(_ descriptor: Int32, status: Int) {
        let body = "{\"error\":\"\(reason(status).lowercased())\",\"status\":\(status)}"
        let response =
            "HTTP/1.1 \(status) \(reason(status))\r\ncontent-type: application/json\r\ncontent-length: "
            + "\(body.utf8.count)\r\nconnection: close\r\n\r\n\(body)"
        _ = writeAll(descriptor, Array(response.utf8))
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 408: "Request Timeout"
        case 413: "Content Too Large"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }
}

struct EchoFailure: Error {
    /// Status to answer with; 0 means the connection broke and nothing can be sent.
    let status: Int
}
