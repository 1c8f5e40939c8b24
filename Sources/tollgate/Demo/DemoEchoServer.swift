import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The built-in demo function: a small HTTP/1.1 server on loopback that answers every request with a
/// JSON description of it (method, path, query, headers, body length).
///
/// Thread per connection with blocking sockets, bounded everywhere: at most ``maxConnections``
/// connections, a 16 KiB request head, a 10 s read/write timeout, bodies counted and discarded (never
/// buffered) up to 64 MiB. `?delay_ms=N` (at most 30 s) delays the answer and `?status=N` (200-599)
/// picks its status, so timeouts and upstream errors can be shown through the proxy.
final class DemoEchoServer: Sendable {
    static let maxConnections = 256

    /// The bound port (useful when started on port 0).
    let port: Int
    private let listenDescriptor: Int32
    private let logger: Logger
    private let connections = ConnectionCounter()

    /// Binds `host:port` (port 0 picks a free one) and starts accepting on a background thread.
    static func start(host: String = "127.0.0.1", port: Int, logger: Logger) throws(DemoEchoError) -> DemoEchoServer {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw DemoEchoError(code: .socket, errno: errno, address: "\(host):\(port)") }
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(descriptor)
            throw DemoEchoError(code: .address, errno: 0, address: "\(host):\(port)")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(descriptor, 128) == 0 else {
            let error = errno
            close(descriptor)
            throw DemoEchoError(code: .bind, errno: error, address: "\(host):\(port)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        let server = DemoEchoServer(
            descriptor: descriptor, port: Int(UInt16(bigEndian: actual.sin_port)), logger: logger)
        Thread.detachNewThread { server.acceptLoop() }
        return server
    }

    private init(descriptor: Int32, port: Int, logger: Logger) {
        self.listenDescriptor = descriptor
        self.port = port
        self.logger = logger
    }

    /// Stops accepting; connections in progress finish on their own threads.
    func stop() {
        shutdown(listenDescriptor, Int32(SHUT_RDWR))
    }

    private func acceptLoop() {
        while true {
            let client = accept(listenDescriptor, nil, nil)
            if client < 0 {
                switch errno {
                case EINTR, ECONNABORTED, EPROTO: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    usleep(10_000)
                    continue
                default:
                    close(listenDescriptor)
                    return
                }
            }
            guard connections.tryAcquire(limit: Self.maxConnections) else {
                EchoConnection.refuse(client, status: 503)
                close(client)
                continue
            }
            Thread.detachNewThread { [self] in
                var connection = EchoConnection(descriptor: client)
                connection.serve()
                close(client)
                connections.release()
            }
        }
    }
}

/// Thrown when the demo echo function cannot listen.
struct DemoEchoError: Error, CustomStringConvertible {
    enum Code: String { case socket, address, bind }
    let code: Code
    let errno: Int32
    let address: String

    var description: String {
        "demo echo function cannot listen on \(address): \(code.rawValue) failed"
            + (errno == 0 ? "" : " (\(String(cString: strerror(errno))))")
    }
}

/// Counts open connections under a lock.
final class ConnectionCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func tryAcquire(limit: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard count < limit else { return false }
        count += 1
        return true
    }

    func release() {
        lock.lock()
        count -= 1
        lock.unlock()
    }
}
