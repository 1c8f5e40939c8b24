#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One client connection of the demo echo function: reads requests (keep-alive and pipelining),
/// answers each with a JSON echo. Blocking I/O with socket timeouts; every read is bounded.
struct EchoConnection {
    static let maxHeadBytes = 16 * 1024
    static let maxBodyBytes = 64 * 1024 * 1024
    static let maxLineBytes = 4096
    static let ioTimeoutSeconds = 10
    static let maxDelayMilliseconds = 30_000

    let descriptor: Int32
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
            let head: [UInt8]
            switch readHead() {
            case .head(let bytes): head = bytes
            case .closed: return
            case .failed(let status):
                Self.refuse(descriptor, status: status)
                return
            }
            let request: EchoRequest
            switch EchoRequest.parse(head: head) {
            case .success(let parsed): request = parsed
            case .failure(let failure):
                Self.refuse(descriptor, status: failure.status)
                return
            }
            let bodyLength: Int
            switch readBody(request.framing) {
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
            let keepAlive = request.keepAlive
            var response = "HTTP/1.1 \(status) \(Self.reason(status))\r\ncontent-type: application/json\r\n"
            response += "content-length: \(body.utf8.count)\r\n"
            if !keepAlive { response += "connection: close\r\n" }
            response += "\r\n"
            var bytes = Array(response.utf8)
            if request.method != "HEAD" { bytes += body.utf8 }
            guard Self.writeAll(descriptor, bytes), keepAlive else { return }
        }
    }

    // MARK: Reading

    enum HeadResult {
        case head([UInt8])
        case closed
        case failed(Int)
    }

    private mutating func readHead() -> HeadResult {
        var searchFrom = 0
        while true {
            if let end = Self.find([13, 10, 13, 10], in: buffer, from: searchFrom) {
                if end > Self.maxHeadBytes { return .failed(431) }
                let head = Array(buffer[..<end])
                buffer.removeSubrange(..<(end + 4))
                return .head(head)
            }
            // A bare LF (RFC 9112 section 2.2) is refused at once instead of waiting for a CRLF CRLF.
            for index in searchFrom..<buffer.count where buffer[index] == 10 {
                if index == 0 || buffer[index - 1] != 13 { return .failed(400) }
            }
            searchFrom = max(0, buffer.count - 3)
            if buffer.count > Self.maxHeadBytes { return .failed(431) }
            switch fill() {
            case .data: continue
            case .closed: return .closed
            case .timedOut: return buffer.isEmpty ? .closed : .failed(408)
            }
        }
    }

    private mutating func readBody(_ framing: EchoRequest.Framing) -> Result<Int, EchoFailure> {
        switch framing {
        case .none:
            return .success(0)
        case .length(let length):
            guard length <= Self.maxBodyBytes else { return .failure(EchoFailure(status: 413)) }
            return discard(length) ? .success(length) : .failure(EchoFailure(status: 0))
        case .chunked:
            var total = 0
            while true {
                guard let line = readLine() else { return .failure(EchoFailure(status: 400)) }
                let sizeField = line.prefix { $0 != UInt8(ascii: ";") }
                guard let size = Self.parseHex(sizeField) else { return .failure(EchoFailure(status: 400)) }
                if size == 0 { break }
                total += size
                guard total <= Self.maxBodyBytes else { return .failure(EchoFailure(status: 413)) }
                guard discard(size), let empty = readLine(), empty.isEmpty else {
                    return .failure(EchoFailure(status: 400))
                }
            }
            // Trailer fields, then the empty line.
            var trailerLines = 0
            while true {
                guard let line = readLine() else { return .failure(EchoFailure(status: 400)) }
                if line.isEmpty { return .success(total) }
                trailerLines += 1
                if trailerLines > 32 { return .failure(EchoFailure(status: 431)) }
            }
        }
    }

    /// One CRLF-terminated line (without the CRLF), at most ``maxLineBytes``; nil on error or close.
    private mutating func readLine() -> [UInt8]? {
        var searchFrom = 0
        while true {
            if let end = Self.find([13, 10], in: buffer, from: searchFrom) {
                let line = Array(buffer[..<end])
                buffer.removeSubrange(..<(end + 2))
                return line.contains(13) || line.contains(10) ? nil : line
            }
            searchFrom = max(0, buffer.count - 1)
            if buffer.count > Self.maxLineBytes { return nil }
            guard case .data = fill() else { return nil }
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

    // MARK: Byte helpers

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = start
        while index + needle.count <= haystack.count {
            if haystack[index] == needle[0] && haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return index
            }
            index += 1
        }
        return nil
    }

    /// Strict chunk-size: 1-15 hex digits (no overflow), nothing else.
    static func parseHex(_ digits: ArraySlice<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.count <= 15 else { return nil }
        var value = 0
        for byte in digits {
            let digit: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = Int(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = Int(byte - UInt8(ascii: "A")) + 10
            default: return nil
            }
            value = value * 16 + digit
        }
        return value
    }
}

struct EchoFailure: Error {
    /// Status to answer with; 0 means the connection broke and nothing can be sent.
    let status: Int
}
