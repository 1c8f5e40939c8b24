import CTollgateSystem
import Foundation
import Glibc
import Synchronization

/// A request as the test upstream received it.
struct ReceivedRequest: Sendable {
    var method: String
    var target: String
    var version: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    var wasChunked: Bool

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// A blocking, thread-per-connection HTTP upstream for tests. `respond` writes the raw response for each
/// request on the socket (or misbehaves on purpose); return false to close the connection.
final class TestUpstream: @unchecked Sendable {
    // Mutable state behind `lock`; `listenFD` is written once in init.
    typealias Responder = @Sendable (ReceivedRequest, TestSocket) -> Bool

    let port: Int
    private let listenFD: Int32
    private let lock = NSLock()
    private var received: [ReceivedRequest] = []
    private var connections = 0
    private var stopped = false
    private let respond: Responder
    private let acceptLoopExited = DispatchSemaphore(value: 0)

    /// Microseconds each connection waits before reading a request (a slow reader, for backpressure tests).
    private let readDelay: UInt32

    init(readDelay: UInt32 = 0, respond: @escaping Responder = TestUpstream.echo) throws {
        self.respond = respond
        self.readDelay = readDelay
        let fd = socket(AF_INET, testSocketType, 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 128) == 0 else { throw TestError("upstream bind failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.listenFD = fd
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    var requests: [ReceivedRequest] { lock.withLock { received } }
    var connectionCount: Int { lock.withLock { connections } }

    /// Stops accepting. The descriptor is closed only after the accept thread has exited: closing it while
    /// that thread may still call accept() would let it accept on a reused descriptor number (another test's
    /// listener).
    func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listenFD, Int32(SHUT_RDWR))
        _ = acceptLoopExited.wait(timeout: .now() + 5)
        close(listenFD)
    }

    private func acceptLoop() {
        defer { acceptLoopExited.signal() }
        while true {
            // accept4(SOCK_NONBLOCK | SOCK_CLOEXEC) (Glibc does not export accept4 to Swift): close-on-exec from
            // the start, like every test socket (see `testSocketType`); the connection is then made blocking.
            var ip = [CChar](repeating: 0, count: 64)
            var ipLength: Int32 = 0
            let fd = tollgate_accept(listenFD, &ip, Int32(ip.count), &ipLength)
            if fd < 0 {
                if lock.withLock({ stopped }) { return }
                if fd == -EINTR { continue }
                return
            }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
            lock.withLock { connections += 1 }
            let socket = TestSocket(fd: fd)
            let thread = Thread { [self] in serve(socket) }
            thread.start()
        }
    }

    private func serve(_ socket: TestSocket) {
        defer { socket.close() }
        while true {
            if readDelay > 0 { usleep(readDelay) }
            guard let request = try? socket.readRequest() else { return }
            lock.withLock { received.append(request) }
            if !respond(request, socket) { return }
        }
    }

    /// Echoes: 200 with the request body, or (no body) a text listing of the request head.
    static let echo: Responder = { request, socket in
        var body = request.body
        if body.isEmpty && request.method != "POST" && request.method != "PUT" {
            var text = "\(request.method) \(request.target) \(request.version)\n"
            for header in request.headers { text += "\(header.name): \(header.value)\n" }
            body = Array(text.utf8)
        }
        let head =
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: \(body.count)\r\nX-Upstream-Port: 1\r\n"
            + "Connection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n"
        return socket.write(Array(head.utf8) + (request.method == "HEAD" ? [] : body))
    }
}

struct TestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
