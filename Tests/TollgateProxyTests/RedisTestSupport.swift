import Dispatch
import Foundation
import Glibc
import Logging
import Synchronization
import TollgateConfig
import TollgateLimiter

@testable import TollgateProxy

/// Where Debian installs the server; tests that need it are skipped (with this reason) when absent.
let redisServerPath = "/usr/bin/redis-server"
let redisServerAvailable = FileManager.default.isExecutableFile(atPath: redisServerPath)

/// A `redis-server` process of one test, on its own free loopback port, without persistence.
final class RedisServerProcess: @unchecked Sendable {
    let port: Int
    private var process: Process?

    /// Starts a server on `port` (a free one when nil) and waits (at most 5 s) until it accepts connections.
    init(port: Int? = nil) throws {
        self.port = try port ?? RedisServerProcess.freePort()
        try start()
    }

    deinit { kill() }

    func start() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: redisServerPath)
        p.arguments = [
            "--save", "", "--appendonly", "no", "--port", "\(port)", "--bind", "127.0.0.1", "--protected-mode", "no",
        ]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        process = p
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if RedisServerProcess.canConnect(port: port) { return }
            usleep(10_000)
        }
        kill()
        throw TestFailure("redis-server did not start on port \(port)")
    }

    /// SIGKILL, then reap (bounded by the kernel: a killed process exits at once).
    func kill() {
        guard let p = process else { return }
        process = nil
        if p.isRunning {
            Glibc.kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
    }

    /// Freezes (SIGSTOP) or thaws (SIGCONT) the server: a slow store.
    func pause(_ paused: Bool) {
        guard let p = process else { return }
        Glibc.kill(p.processIdentifier, paused ? SIGSTOP : SIGCONT)
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, testSocketType, 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw TestFailure("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, testSocketType, 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A store clock the test moves by hand (microseconds), shared by several backends.
final class ManualStoreClock: Sendable {
    private let value: Atomic<UInt64>
    init(start: UInt64 = 1_700_000_000_000_000) { value = Atomic(start) }
    var now: UInt64 { value.load(ordering: .relaxed) }
    func advance(microseconds: UInt64) { value.add(microseconds, ordering: .relaxed) }
    var function: @Sendable () -> UInt64 { { [self] in self.now } }
}

/// Calls a completion-based operation on `queue` and waits for its result, at most `timeout` seconds
/// (nil on timeout). Counts calls of the completion, so callers can check "exactly once".
final class Once<T: Sendable>: @unchecked Sendable {
    private let lock = Mutex<(value: T?, calls: Int, continuation: CheckedContinuation<T?, Never>?, timedOut: Bool)>(
        (nil, 0, nil, false))

    var calls: Int { lock.withLock { $0.calls } }

    func deliver(_ value: T) {
        let c: CheckedContinuation<T?, Never>? = lock.withLock { state in
            state.calls += 1
            guard state.calls == 1, !state.timedOut else { return nil }
            state.value = value
            defer { state.continuation = nil }
            return state.continuation
        }
        c?.resume(returning: value)
    }

    func timeOut() {
        let c: CheckedContinuation<T?, Never>? = lock.withLock { state in
            guard state.calls == 0, !state.timedOut else { return nil }
            state.timedOut = true
            defer { state.continuation = nil }
            return state.continuation
        }
        c?.resume(returning: nil)
    }

    func wait(queue: DispatchQueue, timeout: Double, start: @escaping @Sendable (Once<T>) -> Void) async -> T? {
        await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            let ready: T?? = lock.withLock { state in
                if state.calls > 0 { return .some(state.value) }
                if state.timedOut { return .some(nil) }
                state.continuation = continuation
                return nil
            }
            if let ready {
                continuation.resume(returning: ready)
                return
            }
            queue.async { start(self) }
            queue.asyncAfter(deadline: .now() + timeout) { self.timeOut() }
        }
    }
}

/// Runs `operation` on `queue` and waits for its completion (nil after `timeout` seconds).
func onQueue<T: Sendable>(
    _ queue: DispatchQueue, timeout: Double = 5, _ operation: @escaping @Sendable (@escaping (T) -> Void) -> Void
) async -> T? {
    let once = Once<T>()
    return await once.wait(queue: queue, timeout: timeout) { once in operation { once.deliver($0) } }
}

/// Waits until `condition` (evaluated on `queue`) holds, polling every 10 ms, at most `timeout` seconds.
///
/// The condition is evaluated once more after the deadline: on a loaded machine the test task may not be resumed
/// from its sleep until after the deadline (the cooperative pool is as wide as the cores and blocking tests run in
/// parallel), and a condition that became true meanwhile must not count as a timeout.
func eventually(_ queue: DispatchQueue, timeout: Double = 10, _ condition: @escaping @Sendable () -> Bool) async -> Bool
{
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if queue.sync(execute: condition) { return true }
        try? await Task.sleep(nanoseconds: 10_000_000)
    }
    // One last look: on a loaded machine the task may resume only after the deadline.
    return queue.sync(execute: condition)
}

/// A backend on its own loop ("an instance" or "a worker") against the server on `port`.
struct RedisTestInstance: @unchecked Sendable {
    let loop: RedisEventLoop
    let backend: RedisLimitBackend

    init(
        limits: TollgateLimiter.LimitsConfiguration, port: Int, clock: ManualStoreClock,
        failureMode: TollgateConfig.LimitsConfiguration.FailureMode = .open, timeoutMilliseconds: Int = 2000,
        prefix: String = "t:", log: CapturedLog? = nil
    ) throws {
        loop = try RedisEventLoop()
        let limiter = try Limiter(configuration: limits)
        var logger = Logger(label: "redis-test") { _ -> any LogHandler in
            if let log { return CapturingLogHandler(log: log) }
            return SwiftLogNoOpLogHandler()
        }
        logger.logLevel = log == nil ? .critical : .debug
        let settings = RedisStoreSettings(
            client: RedisClientSettings(
                host: "127.0.0.1", port: port, commandTimeoutMilliseconds: timeoutMilliseconds,
                connectTimeoutMilliseconds: 2000, backoffInitialMilliseconds: 10, backoffMaxMilliseconds: 200),
            keyPrefix: prefix, failureMode: failureMode,
            // The tests' store clock is manual: keys must not expire in real time while it stands still.
            ttlSlackMilliseconds: 60_000)
        backend = RedisLimitBackend(
            limiter: limiter, settings: settings, host: loop, storeClock: clock.function, logger: logger)
        let backend = self.backend
        loop.queue.sync { backend.start() }
    }

    func waitReady() async -> Bool {
        let backend = self.backend
        return await eventually(loop.queue) { backend.isStoreReady }
    }

    func admit(_ function: String = "fn", client: String, now: UInt64 = 1_000_000_000) async -> LimitVerdict? {
        let backend = self.backend
        return await onQueue(loop.queue) { done in
            backend.admit(function: function, clientKey: Array(client.utf8), now: now, completion: done)
        }
    }

    /// Admits and measures, on the loop queue, how long the completion took (ns): immune to the test
    /// task being scheduled late on a loaded machine.
    func timedAdmit(client: String) async -> (verdict: LimitVerdict, nanoseconds: UInt64)? {
        let backend = self.backend
        return await onQueue(loop.queue) { (done: @escaping ((verdict: LimitVerdict, nanoseconds: UInt64)) -> Void) in
            let started = DispatchTime.now().uptimeNanoseconds
            backend.admit(function: "fn", clientKey: Array(client.utf8), now: 1_000_000_000) { verdict in
                done((verdict, DispatchTime.now().uptimeNanoseconds - started))
            }
        }
    }

    /// Completes `ticket` and waits until the settlement round trip is done (a PING behind it).
    func complete(_ ticket: LimitTicket, outcome: CompletionOutcome = .success, upstreamNanoseconds: UInt64?) async {
        let backend = self.backend
        _ = await onQueue(loop.queue) { (done: @escaping (Bool) -> Void) in
            backend.complete(ticket, outcome: outcome, upstreamNanoseconds: upstreamNanoseconds, now: 2_000_000_000)
            backend.client.send([Array("PING".utf8)]) { _ in done(true) }
        }
    }

    func stop() {
        let backend = self.backend
        let loop = self.loop
        loop.queue.sync {
            backend.stop()
            loop.shutdown()
        }
    }
}

extension LimitVerdict {
    var ticket: LimitTicket? {
        if case .allow(let t) = self { return t }
        return nil
    }
    var rejection: Rejection? {
        if case .reject(let r) = self { return r }
        return nil
    }
    var isUnavailable: Bool {
        if case .unavailable = self { return true }
        return false
    }
    var isStoreDecision: Bool {
        if case .allow(let t) = self, case .store = t.origin { return true }
        return false
    }
}

/// Log records kept by `CapturingLogHandler`.
final class CapturedLog: Sendable {
    private let records = Mutex<[(level: Logger.Level, message: String)]>([])
    func append(_ level: Logger.Level, _ message: String) { records.withLock { $0.append((level, message)) } }
    /// Messages at `level` or above.
    func messages(atLeast level: Logger.Level) -> [String] {
        records.withLock { $0.filter { $0.level >= level }.map(\.message) }
    }
}

struct CapturingLogHandler: LogHandler {
    let log: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        log.append(event.level, event.message.description)
    }
}
