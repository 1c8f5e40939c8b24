import CTollgateSystem

/// Keep-alive upstream connections for one function on one worker (no locks: confined to the worker queue).
///
/// At most `pool.max_total` connections are open; a request that finds none idle and the pool full waits in a
/// FIFO (its client's deadline bounds the wait with the function timeout). At most `pool.max_idle` idle
/// connections are kept, each for at most `pool.idle_timeout_ms` (default 4 s).
final class UpstreamPool {
    let route: Router.Route
    private var idle: [UpstreamConnection] = []
    private(set) var total = 0
    private var waiters: [ClientConnection] = []
    private var waiterHead = 0
    private(set) var isRetired = false

    /// Idle upstream connections are closed after this long (`pool.idle_timeout_ms`; the 4 s default is shorter
    /// than the common 5 s keep-alive of function runtimes, so the proxy rarely reuses a connection the upstream
    /// is closing).
    var idleTimeoutMilliseconds: UInt64 { UInt64(max(route.function.poolIdleTimeoutMilliseconds, 1)) }

    enum Acquired {
        case connection(UpstreamConnection)
        case queued
        case failed(Int32)
    }

    init(route: Router.Route) {
        self.route = route
    }

    var isFinished: Bool { isRetired && total == 0 && waiterHead == waiters.count }

    func acquire(for client: ClientConnection, worker: Worker) -> Acquired {
        while let connection = idle.popLast() {
            worker.counters.idleUpstreams.decrement()
            if connection.isOpen {
                connection.reused = true
                return .connection(connection)
            }
            discard(connection, worker: worker)
        }
        if total < route.function.poolMaxTotal {
            return connect(worker: worker)
        }
        waiters.append(client)
        return .queued
    }

    private func connect(worker: Worker) -> Acquired {
        var inProgress: Int32 = 0
        var address = route.address.raw
        let fd = tollgate_connect(&address, &inProgress)
        if fd < 0 { return .failed(-fd) }
        let connection = UpstreamConnection(worker: worker, pool: self, fd: fd, connecting: inProgress != 0)
        guard connection.isOpen else {
            _ = tollgate_close(fd)
            return .failed(12)  // ENOMEM-like: epoll refused it
        }
        total += 1
        worker.counters.openUpstreams.increment()
        worker.metrics?.connectionOpened(.upstream)
        return .connection(connection)
    }

    /// Takes a connection back. `reusable` only when the response was read whole, the request was sent whole
    /// and both sides allow keep-alive; otherwise it is closed.
    func release(_ connection: UpstreamConnection, reusable: Bool, worker: Worker) {
        connection.client = nil
        if reusable && connection.isOpen && connection.out.isEmpty && connection.input.isEmpty {
            if let waiter = nextWaiter() {
                connection.reused = true
                waiter.poolProvided(connection)
                return
            }
            if !isRetired && idle.count < route.function.poolMaxIdle {
                connection.becomeIdle(now: worker.now)
                idle.append(connection)
                worker.counters.idleUpstreams.increment()
                return
            }
        }
        discard(connection, worker: worker)
        serveWaiterWithNewConnection(worker: worker)
    }

    private func serveWaiterWithNewConnection(worker: Worker) {
        guard total < route.function.poolMaxTotal, let waiter = nextWaiter() else { return }
        switch connect(worker: worker) {
        case .connection(let connection): waiter.poolProvided(connection)
        case .failed(let error): waiter.poolFailed(error)
        case .queued: break
        }
    }

    private func nextWaiter() -> ClientConnection? {
        guard waiterHead < waiters.count else { return nil }
        let waiter = waiters[waiterHead]
        waiterHead += 1
        if waiterHead == waiters.count {
            waiters.removeAll(keepingCapacity: true)
            waiterHead = 0
        }
        return waiter
    }

    func cancelWait(_ client: ClientConnection) {
        guard let position = waiters[waiterHead...].firstIndex(where: { $0 === client }) else { return }
        waiters.remove(at: position)
    }

    private func discard(_ connection: UpstreamConnection, worker: Worker) {
        guard connection.isOpen else { return }
        connection.close()
        total -= 1
        worker.counters.openUpstreams.decrement()
        worker.metrics?.connectionClosed(.upstream)
    }

    /// An idle connection became readable or hung up: the upstream closed it (or sent garbage).
    func idleConnectionDied(_ connection: UpstreamConnection, worker: Worker) {
        if let position = idle.firstIndex(where: { $0 === connection }) {
            idle.remove(at: position)
            worker.counters.idleUpstreams.decrement()
        }
        discard(connection, worker: worker)
    }

    func sweepIdle(worker: Worker, now: UInt64) {
        guard let oldest = idle.first, now >= oldest.idleSince + idleTimeoutMilliseconds else { return }
        while let first = idle.first, now >= first.idleSince + idleTimeoutMilliseconds {
            idle.removeFirst()
            worker.counters.idleUpstreams.decrement()
            discard(first, worker: worker)
        }
    }

    func closeIdle(worker: Worker) {
        for connection in idle {
            worker.counters.idleUpstreams.decrement()
            discard(connection, worker: worker)
        }
        idle.removeAll()
    }

    func retire(worker: Worker) {
        isRetired = true
        closeIdle(worker: worker)
    }
}
