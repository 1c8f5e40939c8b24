import Foundation
import Glibc

/// `SOCK_STREAM | SOCK_CLOEXEC`: every socket the tests open must be close-on-exec. Tests in this process spawn
/// children (redis-server, promtool, python3) in parallel with the proxy tests; a child inherits every descriptor
/// without the flag and keeps the socket alive after the test closes it, so a reset or close never reaches the
/// peer (the proxy then waits for an upstream that already "left" and answers 504 instead of 502).
let testSocketType = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)

/// A blocking socket with receive timeouts, for the test client and the test upstream.
final class TestSocket: @unchecked Sendable {
    // Used by one thread at a time.
    let fd: Int32
    private var buffer: [UInt8] = []
    private var closed = false

    init(fd: Int32) {
        self.fd = fd
        setTimeout(seconds: 10)
    }

    /// Connects to 127.0.0.1:port.
    static func connect(port: Int, timeoutSeconds: Int = 10) throws -> TestSocket {
        let fd = socket(AF_INET, testSocketType, 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            Glibc.close(fd)
            throw TestError("connect to \(port) failed: errno \(errno)")
        }
        let socket = TestSocket(fd: fd)
        socket.setTimeout(seconds: timeoutSeconds)
        return socket
    }

    func setTimeout(seconds: Int, microseconds: Int = 0) {
        var timeout = timeval(tv_sec: seconds, tv_usec: microseconds)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    @discardableResult
    func write(_ text: String) -> Bool { write(Array(text.utf8)) }

    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }

    /// Resets the connection (RST instead of FIN).
    func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close()
    }

    /// Reads more bytes into the buffer; false at end of stream, timeout or error.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count <= 0 { return false }
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    /// Reads until the peer closes (or times out); returns everything not consumed yet.
    func readToEnd() -> [UInt8] {
        while fill() {}
        defer { buffer.removeAll() }
        return buffer
    }

    /// True when the peer closed the connection (end of stream) within the timeout.
    func isClosedByPeer() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
        }
    }

    private func readLine() throws -> String {
        while true {
            if let index = buffer.firstIndex(of: 0x0A) {
                var line = Array(buffer[0..<index])
                buffer.removeFirst(index + 1)
                if line.last == 0x0D { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            guard fill() else { throw TestError("connection closed or timed out while reading a line") }
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        while buffer.count < count {
            guard fill() else { throw TestError("connection closed or timed out in a body (\(buffer.count)/\(count))") }
        }
        let bytes = Array(buffer[0..<count])
        buffer.removeFirst(count)
        return bytes
    }

    private func readHeaders() throws -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        while true {
            let line = try readLine()
            if line.isEmpty { return headers }
            guard let colon = line.firstIndex(of: ":") else { throw TestError("bad header line \(line)") }
            headers.append(
                (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
    }

    private func readChunked() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let line = try readLine()
            let sizeText = line.split(separator: ";").first.map(String.init) ?? line
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw TestError("bad chunk size \(line)")
            }
            if size == 0 {
                while try !readLine().isEmpty {}
                return body
            }
            body += try readExactly(size)
            guard try readLine().isEmpty else { throw TestError("missing CRLF after chunk") }
        }
    }

    /// Reads one request (test upstream side).
    func readRequest() throws -> ReceivedRequest {
        let line = try readLine()
        let parts = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else { throw TestError("bad request line \(line)") }
        let headers = try readHeaders()
        var request = ReceivedRequest(
            method: parts[0], target: parts[1], version: parts[2], headers: headers, body: [], wasChunked: false)
        if request.header("transfer-encoding")?.lowercased() == "chunked" {
            request.body = try readChunked()
            request.wasChunked = true
        } else if let length = request.header("content-length").flatMap({ Int($0) }) {
            request.body = try readExactly(length)
        }
        return request
    }

    /// Reads one response (test client side). `head`: the request was HEAD (no body).
    func readResponse(head: Bool = false) throws -> TestResponse {
        var line = try readLine()
        var interim: [Int] = []
        while true {
            let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
            guard parts.count >= 2, let status = Int(parts[1]) else { throw TestError("bad status line '\(line)'") }
            let headers = try readHeaders()
            var response = TestResponse(status: status, headers: headers, body: [], interim: interim)
            if status < 200 {
                interim.append(status)
                line = try readLine()
                continue
            }
            if head || status == 204 || status == 304 { return response }
            if response.header("transfer-encoding")?.lowercased() == "chunked" {
                response.body = try readChunked()
                response.wasChunked = true
            } else if let length = response.header("content-length").flatMap({ Int($0) }) {
                response.body = try readExactly(length)
            } else {
                response.body = readToEnd()
            }
            return response
        }
    }
}

struct TestResponse {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    var interim: [Int]
    var wasChunked = false

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}
