import CTollgateSystem
import Dispatch
import Foundation
import Logging
import Synchronization
import TollgateConfig
import TollgateMetrics

/// The admin listener (`admin_listen`): `/metrics`, `/healthz` and `/readyz` from `AdminEndpoints`, on its own
/// small Dispatch worker (one serial queue, read sources per socket), apart from the proxy's workers so a
/// scrape never waits behind client traffic. One request per connection (`Connection: close`); request heads
/// are limited to 8 KiB and 5 seconds; errors are short JSON.
public final class AdminListener: Sendable {
    private struct State {
        var listenFD: Int32 = -1
        var port = 0
        var connections: [Int32: AdminConnection] = [:]
    }

    /// Most admin connections open at once; further ones are closed at accept.
    static let maxConnections = 64
    private let queue = DispatchQueue(label: "tollgate.admin")
    private let sources = Mutex<SourceBox?>(nil)
    private let endpoints: Mutex<AdminEndpoints>
    private let state = Mutex(State())
    private let logger: Logger
    private let address: ListenAddress

    public init(address: ListenAddress, endpoints: AdminEndpoints, logger: Logger) {
        self.address = address
        self.endpoints = Mutex(endpoints)
        self.logger = logger
    }

    private let scrapeHook = Mutex<(@Sendable () -> Void)?>(nil)

    /// Called before each `/metrics` answer (copies counters kept elsewhere into the registry).
    public var onScrape: (@Sendable () -> Void)? {
        get { scrapeHook.withLock { $0 } }
        set { scrapeHook.withLock { $0 = newValue } }
    }

    /// Replaces the endpoints (a reload changed the token).
    public func update(endpoints: AdminEndpoints) { self.endpoints.withLock { $0 = endpoints } }

    /// The bound port (useful with port 0).
    public var listeningPort: Int { state.withLock { $0.port } }

    /// Binds and starts serving. Throws `ProxyError(.bindFailed)`.
    public func start() throws(ProxyError) {
        var resolved = tollgate_address()
        guard tollgate_resolve(address.host, Int32(address.port), &resolved) == 0 else {
            throw ProxyError(.bindFailed, "cannot bind admin_listen \(address): the host is not an address")
        }
        let fd = tollgate_listen(&resolved, 0, 64)
        guard fd >= 0 else {
            throw ProxyError(.bindFailed, "cannot bind admin_listen \(address): \(ProxyServer.describe(errno: -fd))")
        }
        let port = Int(tollgate_local_port(fd))
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [self] in acceptAll(fd) }
        source.setCancelHandler { _ = tollgate_close(fd) }
        source.resume()
        state.withLock {
            $0.listenFD = fd
            $0.port = port
        }
        let box = SourceBox(source: source)
        sources.withLock { $0 = box }
        logger.info(
            "admin listener ready", metadata: ["admin_listen": "\(ListenAddress(host: address.host, port: port))"])
    }

    /// Stops accepting and closes open admin connections.
    public func stop() {
        let connections = state.withLock { state -> [AdminConnection] in
            let open = Array(state.connections.values)
            state.connections.removeAll()
            return open
        }
        let source = sources.withLock { box -> SourceBox? in
            let old = box
            box = nil
            return old
        }
        source?.source.cancel()
        queue.sync { for connection in connections { connection.close() } }
    }

    private func acceptAll(_ listenFD: Int32) {
        var ip = [CChar](repeating: 0, count: 64)
        for _ in 0..<32 {
            var length: Int32 = 0
            let fd = ip.withUnsafeMutableBufferPointer {
                tollgate_accept(listenFD, $0.baseAddress, Int32($0.count), &length)
            }
            if fd < 0 { return }
            // Bounded: scrapers and probes need a handful; more is someone else.
            if state.withLock({ $0.connections.count }) >= Self.maxConnections {
                _ = tollgate_close(fd)
                continue
            }
            let connection = AdminConnection(fd: fd, queue: queue) { [self] request in
                answer(request)
            } onClose: { [self] in
                _ = state.withLock { $0.connections.removeValue(forKey: fd) }
            }
            state.withLock { $0.connections[fd] = connection }
            connection.start()
        }
    }

    private func answer(_ request: AdminRequest?) -> AdminResponse {
        guard let request else {
            return AdminResponse(
                status: 400, headers: [("Content-Type", "application/json")],
                body: Array(#"{"error":"bad_request"}"#.utf8))
        }
        let endpoints = self.endpoints.withLock { $0 }
        if request.target.hasPrefix("/metrics"), let hook = onScrape { hook() }
        return endpoints.respond(method: request.method, target: request.target, authorization: request.authorization)
    }
}

/// What the admin listener reads from a request head.
struct AdminRequest {
    var method: String
    var target: String
    var authorization: String?

    /// Parses a request head (up to the blank line); nil when it is not a plausible HTTP/1.x head.
    static func parse(_ head: [UInt8]) -> AdminRequest? {
        let text = String(decoding: head, as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        guard !lines.isEmpty else { return nil }
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1."), requestLine[1].hasPrefix("/") else {
            return nil
        }
        var request = AdminRequest(method: String(requestLine[0]), target: String(requestLine[1]), authorization: nil)
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == "authorization" {
                request.authorization = line[line.index(after: colon)...].trimmingCharacters(in: [" ", "\t"])
            }
        }
        return request
    }
}

/// One admin connection: reads one head, answers, closes. Confined to the admin queue.
final class AdminConnection: @unchecked Sendable {
    static let maxHead = 8 * 1024
    let fd: Int32
    let queue: DispatchQueue
    let respond: (AdminRequest?) -> AdminResponse
    let onClose: () -> Void
    var source: (any DispatchSourceRead)?
    var timer: (any DispatchSourceTimer)?
    var input: [UInt8] = []
    var closed = false

    init(
        fd: Int32, queue: DispatchQueue, respond: @escaping (AdminRequest?) -> AdminResponse,
        onClose: @escaping () -> Void
    ) {
        self.fd = fd
        self.queue = queue
        self.respond = respond
        self.onClose = onClose
    }

    func start() {
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [self] in readable() }
        let fd = self.fd
        source.setCancelHandler { _ = tollgate_close(fd) }
        self.source = source
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .seconds(5))
        timer.setEventHandler { [self] in close() }
        self.timer = timer
        source.resume()
        timer.resume()
    }

    private func readable() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { tollgate_read(fd, $0.baseAddress, $0.count) }
        if count == -Int(EAGAIN_VALUE) { return }
        guard count > 0 else {
            close()
            return
        }
        input.append(contentsOf: buffer[0..<count])
        if let end = Self.headEnd(input) {
            send(respond(AdminRequest.parse(Array(input[0..<end]))))
        } else if input.count > Self.maxHead {
            send(
                AdminResponse(
                    status: 431, headers: [("Content-Type", "application/json")],
                    body: Array(#"{"error":"request_head_too_large"}"#.utf8)))
        }
    }

    static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }

    private func send(_ response: AdminResponse) {
        var text = "HTTP/1.1 \(response.status) \(ClientConnection.reasonPhrase(response.status))\r\n"
        for (name, value) in response.headers { text += "\(name): \(value)\r\n" }
        text += "Content-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
        var bytes = Array(text.utf8)
        bytes.append(contentsOf: response.body)
        // Bounded blocking-style write: the socket is non-blocking; wait briefly on EAGAIN (scrapes are small,
        // and the 5-second timer closes a client that does not read).
        var offset = 0
        var spins = 0
        while offset < bytes.count && spins < 5_000 {
            let written = bytes[offset...].withUnsafeBytes { tollgate_write(fd, $0.baseAddress, $0.count) }
            if written > 0 {
                offset += written
            } else if written == -Int(EAGAIN_VALUE) {
                spins += 1
                usleepShort()
            } else {
                break
            }
        }
        close()
    }

    private func usleepShort() {
        let pause = DispatchSemaphore(value: 0)
        _ = pause.wait(timeout: .now() + .microseconds(200))
    }

    func close() {
        guard !closed else { return }
        closed = true
        timer?.cancel()
        timer = nil
        source?.cancel()
        source = nil
        onClose()
    }
}

/// A Dispatch source held for cancellation (Dispatch sources are thread-safe).
final class SourceBox: @unchecked Sendable {
    let source: any DispatchSourceRead
    init(source: any DispatchSourceRead) { self.source = source }
}
