import CTollgateSystem
import Dispatch
import Logging
import Synchronization
import TollgateConfig

/// The reverse proxy: `workers` I/O queues, each with its own listener (`SO_REUSEPORT`), epoll descriptor,
/// client connections and upstream pools.
///
/// Thread-safe: the public methods may be called from any thread or task.
public final class ProxyServer: Sendable {
    private struct State {
        var configuration: TollgateConfiguration
        var workers: [Worker] = []
        var port = 0
        var started = false
        var stopped = false
        var inspector: (any RequestInspector)?
        var limits: ProxyLimits?
    }

    private let state: Mutex<State>
    private let logger: Logger
    private let observability: ProxyObservability?

    /// - Parameters:
    ///   - configuration: validated configuration (see `TollgateConfig`).
    ///   - logger: where the proxy logs (info and below).
    ///   - inspector: the rule engine hook; nil (the default) inspects nothing.
    ///   - observability: metrics and access log; nil (the default) records nothing.
    public init(
        configuration: TollgateConfiguration, logger: Logger, inspector: (any RequestInspector)? = nil,
        observability: ProxyObservability? = nil
    ) {
        self.state = Mutex(State(configuration: configuration, inspector: inspector))
        self.logger = logger
        self.observability = observability
    }

    /// The router of a configuration, with the function metric handles resolved (and each function's
    /// configured budget limits set).
    private func makeRouter(_ configuration: TollgateConfiguration, limits: ProxyLimits?) throws(ProxyError) -> Router {
        let table = observability?.metrics?.configureFunctions(configuration.functions.map(\.name))
        if let table, let metrics = observability?.metrics {
            for function in configuration.functions {
                let budget = limits?.setup.limits.functions[function.name]?.perFunctionBudget
                metrics.setBudgetLimit(
                    function: table[function.name], usd: budget?.maxDollars ?? 0, gbSeconds: budget?.maxGBSeconds ?? 0)
            }
        }
        return try Router(configuration: configuration, metrics: table)
    }

    /// Binds one listener per worker and starts the workers.
    ///
    /// Throws `ProxyError` (`bind_failed` naming the address, `upstream_unresolvable`, ...). With port 0 the
    /// kernel picks a port; read it from `listeningPort`.
    public func start() throws(ProxyError) {
        tollgate_ignore_sigpipe()
        try state.withLock { (state: inout State) throws(ProxyError) -> Void in
            guard !state.started else { throw ProxyError(.invalidState, "the proxy was already started") }
            let configuration = state.configuration
            let limits = try ProxyLimits.make(configuration, previous: nil)
            let router = try makeRouter(configuration, limits: limits)
            let listen = configuration.listen
            var address = tollgate_address()
            guard tollgate_resolve(listen.host, Int32(listen.port), &address) == 0 else {
                throw ProxyError(.bindFailed, "cannot bind \(listen): the host is not an address")
            }
            let count = max(1, configuration.workers)
            let (descriptors, port) = try Self.bindLock.withLock { (_: inout Void) throws(ProxyError) in
                try Self.bindListeners(listen: listen, address: address, count: count)
            }
            var workers: [Worker] = []
            do throws(ProxyError) {
                for index in 0..<count {
                    workers.append(
                        try Worker(
                            index: index, configuration: configuration, router: router, inspector: state.inspector,
                            logger: logger, observability: observability))
                }
            } catch {
                for descriptor in descriptors { _ = tollgate_close(descriptor) }
                throw error
            }
            for (worker, fd) in zip(workers, descriptors) {
                worker.async { worker.apply(limits: limits) }
                worker.start(listenerFD: fd)
            }
            state.limits = limits
            state.workers = workers
            state.port = port
            state.started = true
            logger.info(
                "tollgate proxy listening",
                metadata: [
                    "listen": "\(ListenAddress(host: listen.host, port: port))", "workers": "\(count)",
                    "functions": "\(configuration.functions.count)",
                ])
        }
    }

    /// The bound port (useful with port 0); 0 before `start()`.
    public var listeningPort: Int { state.withLock { $0.port } }

    /// Swaps in a new configuration: routes, pools, limits and timeouts, atomically per worker. Connections
    /// keep working; exchanges in flight finish on their old pool. The listen address and the worker count
    /// need a restart (a different listen address is refused with `listen_address_changed`; a different
    /// worker count is logged and ignored).
    public func reload(_ configuration: TollgateConfiguration) throws(ProxyError) {
        try reload(configuration, replacingInspector: false, with: nil)
    }

    /// `reload(_:)` that also swaps the inspector (a reloaded ruleset); nil removes inspection. Requests already
    /// being inspected finish with their old transaction.
    public func reload(_ configuration: TollgateConfiguration, inspector: (any RequestInspector)?) throws(ProxyError) {
        try reload(configuration, replacingInspector: true, with: inspector)
    }

    private func reload(
        _ configuration: TollgateConfiguration, replacingInspector: Bool, with newInspector: (any RequestInspector)?
    ) throws(ProxyError) {
        let (workers, inspector, limits, router) = try state.withLock {
            (state: inout State) throws(ProxyError) -> ([Worker], (any RequestInspector)?, ProxyLimits?, Router) in
            let old = state.configuration
            if old.listen.host != configuration.listen.host
                || (old.listen.port != configuration.listen.port && !(old.listen.port == 0))
            {
                throw ProxyError(
                    .listenAddressChanged,
                    "listen address \(old.listen) -> \(configuration.listen) needs a restart; reload refused")
            }
            if old.workers != configuration.workers {
                logger.warning("worker count changes need a restart; keeping \(state.workers.count) workers")
            }
            let limits = try ProxyLimits.make(configuration, previous: state.limits)
            let router = try makeRouter(configuration, limits: limits)
            var kept = configuration
            kept.listen = old.listen
            state.configuration = kept
            state.limits = limits
            if replacingInspector { state.inspector = newInspector }
            return (state.workers, state.inspector, limits, router)
        }
        for worker in workers {
            worker.async {
                worker.apply(router: router, settings: configuration.http, inspector: inspector)
                worker.apply(limits: limits)
            }
        }
        logger.info("configuration reloaded", metadata: ["functions": "\(configuration.functions.count)"])
    }

    /// Stops accepting, lets in-flight exchanges finish (up to `gracePeriod`), closes idle keep-alive
    /// connections, then closes whatever is left and stops the workers.
    public func shutdown(gracePeriod: Duration) async {
        let workers = beginShutdown(gracePeriod: gracePeriod)
        guard !workers.isEmpty else { return }
        let clock = ContinuousClock()
        let deadline = clock.now + gracePeriod
        while clock.now < deadline && statistics().openClientConnections > 0 {
            try? await Task.sleep(for: .milliseconds(10))
        }
        for worker in workers {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                worker.async {
                    worker.stop()
                    continuation.resume()
                }
            }
        }
        logger.info("stopped")
    }

    /// Blocking variant of `shutdown(gracePeriod:)` (never from a worker queue). It uses no Swift concurrency,
    /// so it is safe to call from a thread of the cooperative pool.
    public func shutdownBlocking(gracePeriod: Duration) {
        let workers = beginShutdown(gracePeriod: gracePeriod)
        guard !workers.isEmpty else { return }
        let clock = ContinuousClock()
        let deadline = clock.now + gracePeriod
        while clock.now < deadline && statistics().openClientConnections > 0 {
            let pause = DispatchSemaphore(value: 0)
            _ = pause.wait(timeout: .now() + .milliseconds(10))
        }
        for worker in workers { worker.queue.sync { worker.stop() } }
        logger.info("stopped")
    }

    private func beginShutdown(gracePeriod: Duration) -> [Worker] {
        let workers = state.withLock { state -> [Worker] in
            guard state.started && !state.stopped else { return [] }
            state.stopped = true
            return state.workers
        }
        if !workers.isEmpty {
            logger.info("draining", metadata: ["grace": "\(gracePeriod)"])
            for worker in workers { worker.async { worker.beginDraining() } }
        }
        return workers
    }

    /// Store counters of the Redis limit store (nil without limits).
    var limitStoreCounters: StoreCounters? { state.withLock { $0.limits?.storeCounters } }

    /// The limits now enforced (nil without an enabled `limits:` section).
    var currentLimits: ProxyLimits? { state.withLock { $0.limits } }

    /// Counters summed over the workers (relaxed reads; cheap enough to call per scrape).
    public func statistics() -> ProxyStatistics {
        let workers = state.withLock { $0.workers }
        var total = ProxyStatistics()
        for worker in workers { worker.counters.add(into: &total) }
        return total
    }

    /// Serializes probe-and-bind within the process: once one server's listeners exist, another server's probe
    /// cannot get their port, so two servers in one process never share a port between probe and bind.
    private static let bindLock = Mutex<Void>(())

    /// Binds `count` listeners (SO_REUSEPORT) to one port.
    ///
    /// A probe bind without SO_REUSEPORT comes first: it fails when anything else holds the port (so two
    /// proxies never silently share a port) and, for port 0, picks a port no other socket uses (the kernel
    /// may otherwise hand a port 0 bind a port that other SO_REUSEPORT listeners already share).
    private static func bindListeners(listen: ListenAddress, address: tollgate_address, count: Int) throws(ProxyError)
        -> ([Int32], Int)
    {
        var lastError: Int32 = 0
        for _ in 0..<5 {
            var probeAddress = address
            let probe = tollgate_listen(&probeAddress, 0, 1)
            guard probe >= 0 else {
                throw ProxyError(.bindFailed, "cannot bind \(listen): \(describe(errno: -probe))")
            }
            let port = Int(tollgate_local_port(probe))
            _ = tollgate_close(probe)
            var bound = address
            guard tollgate_resolve(listen.host, Int32(port), &bound) == 0 else {
                throw ProxyError(.bindFailed, "cannot bind \(listen): the host is not an address")
            }
            var descriptors: [Int32] = []
            for _ in 0..<count {
                let fd = tollgate_listen(&bound, 1, 1024)
                if fd < 0 {
                    lastError = -fd
                    break
                }
                descriptors.append(fd)
            }
            if descriptors.count == count { return (descriptors, port) }
            for descriptor in descriptors { _ = tollgate_close(descriptor) }
            // Someone took the port between the probe and the bind; with port 0 try another one.
            if listen.port != 0 { break }
        }
        throw ProxyError(.bindFailed, "cannot bind \(listen): \(describe(errno: lastError))")
    }

    static func describe(errno code: Int32) -> String {
        switch code {
        case 98: return "address already in use (EADDRINUSE)"
        case 99: return "address not available (EADDRNOTAVAIL)"
        case 13: return "permission denied (EACCES)"
        case 97: return "address family not supported (EAFNOSUPPORT)"
        default: return "errno \(code)"
        }
    }
}
