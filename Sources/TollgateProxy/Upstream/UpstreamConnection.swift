import CTollgateSystem

/// One TCP connection to a function upstream, owned by a pool and lent to one client exchange at a time.
///
/// Confined to the worker queue. While lent, readiness goes to the client connection (which drives the
/// exchange); while idle in the pool, any readiness means the upstream closed or misbehaved, so it is closed.
final class UpstreamConnection: EventHandler {
    unowned let worker: Worker
    unowned let pool: UpstreamPool
    var registration: Registration
    /// The exchange using this connection; nil while idle in the pool.
    var client: ClientConnection?
    /// True until the non-blocking connect completes.
    var connecting: Bool
    /// True when it came from the idle pool (a failure before any response byte may be retried).
    var reused = false
    /// Request bytes the upstream socket did not take yet.
    var out = OutputBuffer()
    /// A partial response head.
    var input: [UInt8] = []
    var idleSince: UInt64 = 0

    init(worker: Worker, pool: UpstreamPool, fd: Int32, connecting: Bool) {
        self.worker = worker
        self.pool = pool
        self.connecting = connecting
        self.registration = Registration()
        self.registration = worker.register(fd: fd, handler: self, interest: connecting ? tollgate_EPOLLOUT : 0)
    }

    var isOpen: Bool { registration.isOpen }

    func handleEvent(_ events: UInt32) {
        if let client {
            client.upstreamEvent(events)
        } else {
            pool.idleConnectionDied(self, worker: worker)
        }
    }

    func setInterest(_ interest: UInt32) { worker.setInterest(&registration, interest) }

    func becomeIdle(now: UInt64) {
        idleSince = now
        out.reset()
        input.removeAll(keepingCapacity: false)
        worker.setInterest(&registration, tollgate_EPOLLIN | tollgate_EPOLLRDHUP)
    }

    func close() {
        if registration.isOpen { worker.close(&registration) }
    }
}

extension UpstreamConnection: CorkedOutputOwner {
    func corkedRemainder(_ rest: UnsafeRawBufferPointer) {
        out.append(rest)
        client?.updateInterest()
    }

    func corkedWriteFailed() {
        if let client {
            client.upstreamFailed(status: 502, reason: "upstream write failed")
        } else {
            pool.idleConnectionDied(self, worker: worker)
        }
    }
}
