import CTollgateSystem
import Dispatch
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Connection settings of one `RedisClient`.
struct RedisClientSettings: Sendable {
    /// Server address (IP literal or name, resolved at each connect).
    var host: String
    var port: Int
    /// `SELECT`ed after connecting when not 0.
    var database: Int = 0
    /// How long a command may wait for its reply (`store_timeout_ms`, default 50 ms). The timer that
    /// checks it ticks every `timeout / 5` (at least 1 ms), so a timed-out command fails after at most
    /// `1.2 × timeout` plus scheduling delay.
    var commandTimeoutMilliseconds: Int = 50
    /// How long connecting plus the handshake (`SELECT`, `SCRIPT LOAD`) may take (default 500 ms).
    var connectTimeoutMilliseconds: Int = 500
    /// First reconnect delay (default 25 ms); doubled after every failed attempt...
    var backoffInitialMilliseconds: Int = 25
    /// ... up to this cap (default 2 s). Each delay is jittered uniformly into [delay/2, delay].
    var backoffMaxMilliseconds: Int = 2000
}

/// A Lua script loaded with `SCRIPT LOAD` at every connect and run with `EVALSHA` (falling back to `EVAL`
/// on `NOSCRIPT`, e.g. after `SCRIPT FLUSH` or a failover to a server that never saw it).
struct RedisScript: Sendable {
    let name: String
    let source: String
}

/// A pipelined RESP2 client on one event-loop queue (a worker's): non-blocking TCP registered with the
/// loop's epoll, a FIFO of reply callbacks (many commands in flight, replies matched in order), a
/// per-command timeout, and reconnect with capped, jittered exponential backoff.
///
/// Every callback passed to `send` is called exactly once, on `host.queue`: with the reply, or with a
/// `RedisError` (`notConnected` at once when no connection is ready; `timeout` or `connectionLost` when
/// the connection fails, for every command in flight). A timeout drops the connection: replies are
/// matched by position, so a late reply could otherwise be given to the wrong command.
///
/// Confinement: all state is touched only on `host.queue` (hence `@unchecked Sendable`).
final class RedisClient: EventHandler, @unchecked Sendable {
    typealias Completion = (Result<RESPValue, RedisError>) -> Void

    enum State: Equatable {
        case idle, connecting, handshaking, ready, waitingToReconnect, closed
    }

    private struct Pending {
        let deadline: UInt64
        let completion: Completion
    }

    let host: any RedisIOHost
    let settings: RedisClientSettings
    let scripts: [RedisScript]
    private let logger: Logger
    /// SHA1 of each script as returned by `SCRIPT LOAD` on the current connection.
    private(set) var shas: [[UInt8]?]
    private(set) var state: State = .idle
    /// Called on `host.queue` each time a connection becomes ready (handshake done).
    var onReady: (() -> Void)?
    /// Called on `host.queue` each time a connection fails (or a connect attempt fails).
    var onFailure: ((RedisError) -> Void)?

    private var registration = Registration()
    private var decoder = RESPDecoder()
    private var output: [UInt8] = []
    private var outputOffset = 0
    private var pending: [Pending] = []
    private var pendingHead = 0
    private var connectDeadline: UInt64 = 0
    private(set) var failedAttempts = 0
    private var reconnectGeneration: UInt64 = 0
    private var timer: (any DispatchSourceTimer)?
    private let readBuffer: UnsafeMutableRawBufferPointer
    private var random = SystemRandomNumberGenerator()

    /// Commands sent and not yet answered.
    var inFlight: Int { pending.count - pendingHead }

    init(host: any RedisIOHost, settings: RedisClientSettings, scripts: [RedisScript], logger: Logger) {
        self.host = host
        self.settings = settings
        self.scripts = scripts
        self.shas = Array(repeating: nil, count: scripts.count)
        self.logger = logger
        self.readBuffer = .allocate(byteCount: 16 * 1024, alignment: 16)
    }

    deinit { readBuffer.deallocate() }

    // MARK: Lifecycle

    /// Starts connecting (and the timeout timer). Call once, on `host.queue`.
    func start() {
        dispatchPrecondition(condition: .onQueue(host.queue))
        guard state == .idle else { return }
        let tick = max(1, settings.commandTimeoutMilliseconds / 5)
        let timer = DispatchSource.makeTimerSource(queue: host.queue)
        timer.schedule(
            deadline: .now() + .milliseconds(tick), repeating: .milliseconds(tick), leeway: .milliseconds(1))
        timer.setEventHandler { [weak self] in self?.tick() }
        timer.resume()
        self.timer = timer
        connect()
    }

    /// Closes the connection for good; commands in flight fail with `connectionLost`.
    func close() {
        dispatchPrecondition(condition: .onQueue(host.queue))
        guard state != .closed else { return }
        timer?.cancel()
        timer = nil
        reconnectGeneration &+= 1
        dropConnection()
        state = .closed
        failAll(RedisError(.connectionLost, "client closed"))
    }

    // MARK: Commands

    /// Sends one command (pipelined behind any in flight). `completion` runs exactly once on `host.queue`.
    func send(_ arguments: [[UInt8]], completion: @escaping Completion) {
        dispatchPrecondition(condition: .onQueue(host.queue))
        guard state == .ready else {
            completion(.failure(RedisError(.notConnected)))
            return
        }
        enqueue(arguments, timeout: settings.commandTimeoutMilliseconds, completion: completion)
    }

    /// Runs script `index` with `EVALSHA`; on `NOSCRIPT` sends the body with `EVAL` once.
    func evalScript(_ index: Int, keys: [[UInt8]], arguments: [[UInt8]], completion: @escaping Completion) {
        let count = Array(String(keys.count).utf8)
        guard let sha = shas[index] else {
            send(
                [Array("EVAL".utf8), Array(scripts[index].source.utf8), count] + keys + arguments,
                completion: completion)
            return
        }
        send([Array("EVALSHA".utf8), sha, count] + keys + arguments) { [weak self] result in
            if case .success(.error(let text)) = result, text.starts(with: Array("NOSCRIPT".utf8)), let self {
                self.send(
                    [Array("EVAL".utf8), Array(self.scripts[index].source.utf8), count] + keys + arguments,
                    completion: completion)
                return
            }
            completion(result)
        }
    }

    private func enqueue(_ arguments: [[UInt8]], timeout: Int, completion: @escaping Completion) {
        RESPEncoder.command(arguments, into: &output)
        pending.append(Pending(deadline: MonotonicClock.milliseconds() + UInt64(timeout), completion: completion))
        flush()
    }

    // MARK: Connecting

    private func connect() {
        guard state == .idle || state == .waitingToReconnect else { return }
        state = .connecting
        connectDeadline = MonotonicClock.milliseconds() + UInt64(settings.connectTimeoutMilliseconds)
        var address = tollgate_address()
        let resolved = settings.host.withCString { tollgate_resolve($0, Int32(settings.port), &address) }
        guard resolved == 0 else {
            connectFailed(RedisError(.connectionLost, "cannot resolve \(settings.host)"))
            return
        }
        var inProgress: Int32 = 0
        let fd = tollgate_connect(&address, &inProgress)
        guard fd >= 0 else {
            connectFailed(RedisError(.connectionLost, "connect failed: errno \(-fd)"))
            return
        }
        registration = host.register(fd: fd, handler: self, interest: tollgate_EPOLLOUT)
        guard registration.isOpen else {
            _ = tollgate_close(fd)
            connectFailed(RedisError(.connectionLost, "epoll registration failed"))
            return
        }
        if inProgress == 0 { beginHandshake() }
    }

    private func beginHandshake() {
        state = .handshaking
        host.setInterest(&registration, tollgate_EPOLLIN | tollgate_EPOLLRDHUP)
        let timeout = settings.connectTimeoutMilliseconds
        if settings.database != 0 {
            enqueue([Array("SELECT".utf8), Array(String(settings.database).utf8)], timeout: timeout) {
                [weak self] result in
                guard let self, case .success(let reply) = result else { return }
                if reply.errorText != nil {
                    self.connectionFailed(RedisError(.server, "SELECT: \(reply.errorText ?? "")"))
                }
            }
        }
        for (index, script) in scripts.enumerated() {
            enqueue([Array("SCRIPT".utf8), Array("LOAD".utf8), Array(script.source.utf8)], timeout: timeout) {
                [weak self] result in
                guard let self, case .success(let reply) = result else { return }
                guard let sha = reply.stringBytes else {
                    self.connectionFailed(RedisError(.server, "SCRIPT LOAD \(script.name): \(reply.errorText ?? "?")"))
                    return
                }
                self.shas[index] = sha
            }
        }
        // A PING last: its reply means every handshake command before it was answered.
        enqueue([Array("PING".utf8)], timeout: timeout) { [weak self] result in
            guard let self, case .success = result, self.state == .handshaking else { return }
            self.state = .ready
            self.failedAttempts = 0
            self.onReady?()
        }
    }

    private func connectFailed(_ error: RedisError) {
        dropConnection()
        state = .waitingToReconnect
        // Reported before the commands fail, so their callbacks already see the outage counted.
        onFailure?(error)
        failAll(error)
        scheduleReconnect()
    }

    /// The connection broke (or timed out): fail everything in flight and reconnect after a backoff.
    private func connectionFailed(_ error: RedisError) {
        guard state == .connecting || state == .handshaking || state == .ready else { return }
        connectFailed(error)
    }

    private func dropConnection() {
        if registration.isOpen { host.close(&registration) }
        decoder.reset()
        output.removeAll(keepingCapacity: true)
        outputOffset = 0
    }

    private func failAll(_ error: RedisError) {
        let waiting = pending[pendingHead...]
        pending = []
        pendingHead = 0
        for p in waiting { p.completion(.failure(error)) }
    }

    private func scheduleReconnect() {
        let exponent = min(failedAttempts, 20)
        let base = min(settings.backoffMaxMilliseconds, settings.backoffInitialMilliseconds << exponent)
        let delay = max(1, base / 2 + Int.random(in: 0...max(0, base / 2), using: &random))
        failedAttempts += 1
        reconnectGeneration &+= 1
        let generation = reconnectGeneration
        host.queue.asyncAfter(deadline: .now() + .milliseconds(delay)) { [weak self] in
            guard let self, self.reconnectGeneration == generation, self.state == .waitingToReconnect else { return }
            self.connect()
        }
    }

    private func tick() {
        let now = MonotonicClock.milliseconds()
        switch state {
        case .connecting, .handshaking:
            if now >= connectDeadline { connectionFailed(RedisError(.timeout, "connect timed out")) }
        case .ready:
            if pendingHead < pending.count, now >= pending[pendingHead].deadline {
                connectionFailed(RedisError(.timeout, "no reply within \(settings.commandTimeoutMilliseconds) ms"))
            }
        default: break
        }
    }

    // MARK: I/O

    func handleEvent(_ events: UInt32) {
        if state == .connecting {
            let error = tollgate_socket_error(registration.fd)
            if error != 0 || events & tollgate_EPOLLERR != 0 {
                connectionFailed(RedisError(.connectionLost, "connect failed: errno \(error)"))
                return
            }
            if events & tollgate_EPOLLOUT != 0 { beginHandshake() }
            return
        }
        if events & tollgate_EPOLLIN != 0 || events & (tollgate_EPOLLHUP | tollgate_EPOLLRDHUP) != 0 {
            readAvailable()
        }
        guard registration.isOpen else { return }
        if events & tollgate_EPOLLERR != 0 {
            connectionFailed(RedisError(.connectionLost, "socket error"))
            return
        }
        if events & tollgate_EPOLLOUT != 0 { flush() }
    }

    private func readAvailable() {
        while registration.isOpen {
            let n = tollgate_read(registration.fd, readBuffer.baseAddress, readBuffer.count)
            if n > 0 {
                decoder.append(UnsafeRawBufferPointer(rebasing: readBuffer[0..<n]))
                deliverReplies()
                if n < readBuffer.count { return }
            } else if n == 0 {
                connectionFailed(RedisError(.connectionLost, "closed by server"))
                return
            } else if n == -Int(EAGAIN) || n == -Int(EINTR) {
                return
            } else {
                connectionFailed(RedisError(.connectionLost, "read failed: errno \(-n)"))
                return
            }
        }
    }

    private func deliverReplies() {
        while registration.isOpen {
            let value: RESPValue?
            do {
                value = try decoder.next()
            } catch {
                connectionFailed(RedisError(.protocolViolation, error.description))
                return
            }
            guard let value else { return }
            guard pendingHead < pending.count else {
                connectionFailed(RedisError(.protocolViolation, "reply without a command"))
                return
            }
            let p = pending[pendingHead]
            pendingHead += 1
            if pendingHead == pending.count {
                pending.removeAll(keepingCapacity: true)
                pendingHead = 0
            } else if pendingHead >= 1024 {
                pending.removeFirst(pendingHead)
                pendingHead = 0
            }
            p.completion(.success(value))
        }
    }

    private func flush() {
        guard registration.isOpen, state == .handshaking || state == .ready else { return }
        while outputOffset < output.count {
            let n = output.withUnsafeBytes { bytes in
                tollgate_write(registration.fd, bytes.baseAddress! + outputOffset, bytes.count - outputOffset)
            }
            if n > 0 {
                outputOffset += n
            } else if n == -Int(EAGAIN) || n == -Int(EINTR) {
                host.setInterest(&registration, tollgate_EPOLLIN | tollgate_EPOLLRDHUP | tollgate_EPOLLOUT)
                return
            } else {
                connectionFailed(RedisError(.connectionLost, "write failed: errno \(-n)"))
                return
            }
        }
        output.removeAll(keepingCapacity: true)
        outputOffset = 0
        host.setInterest(&registration, tollgate_EPOLLIN | tollgate_EPOLLRDHUP)
    }
}
