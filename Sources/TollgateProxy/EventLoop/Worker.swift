import CTollgateSystem
import Dispatch
import Logging
import Synchronization
import TollgateConfig
import TollgateHTTP
import TollgateMetrics

/// Anything registered with a worker's epoll descriptor.
protocol EventHandler: AnyObject {
    /// Readiness (`EPOLLIN`, `EPOLLOUT`, `EPOLLHUP`, ...) for the handler's descriptor, on the worker queue.
    func handleEvent(_ events: UInt32)
}

/// The owner of a socket whose writes the worker may hold until the end of an event batch (`Worker.write`).
protocol CorkedOutputOwner: AnyObject {
    /// The socket did not take all of the held bytes: queue `rest` (in order) and watch for writability.
    func corkedRemainder(_ rest: UnsafeRawBufferPointer)
    /// Writing the held bytes failed: the connection is broken.
    func corkedWriteFailed()
}

/// A descriptor registered with one worker: the epoll token and the interest mask last set.
struct Registration {
    var fd: Int32 = -1
    var token: UInt64 = 0
    var interest: UInt32 = 0
    var isOpen: Bool { fd >= 0 }
}

/// One I/O worker: a serial queue owning an epoll descriptor, its listener, its client connections and its
/// upstream pools.
///
/// Confinement: every mutable property is read and written only on `queue` (the read source, the timer and
/// every `queue.async` block run there); other threads only touch `counters` (atomics) and immutable lets.
/// That is why the class is `@unchecked Sendable`.
final class Worker: @unchecked Sendable {
    let index: Int
    let queue: DispatchQueue
    let logger: Logger
    let counters = WorkerCounters()
    private let epollFD: Int32
    private var readSource: (any DispatchSourceRead)?
    private var timer: (any DispatchSourceTimer)?
    private var handlers = ContiguousArray<(any EventHandler)?>()
    private var generations = ContiguousArray<UInt32>()
    private var nextGeneration: UInt32 = 1
    private let eventMasks: UnsafeMutablePointer<UInt32>
    private let eventData: UnsafeMutablePointer<UInt64>
    private static let batchSize = 64

    /// Writes held until the end of the current event batch, in `corkArena` (see `write(owner:fd:out:_:_:)`).
    private var corked: [CorkedWrite] = []
    private let corkArena: UnsafeMutableRawPointer
    private var corkUsed = 0
    /// True while a batch of readiness is being handled: small writes are held and sent together after it.
    private var corking = false
    private static let corkArenaBytes = 256 * 1024
    /// Largest write that is held (larger ones go out at once).
    private static let corkLimit = 16 * 1024

    private struct CorkedWrite {
        let fd: Int32
        let owner: any CorkedOutputOwner
        let start: Int
        var end: Int
    }

    /// Reused for every read on this worker (client and upstream): 64 KiB.
    let readBuffer: UnsafeMutableRawBufferPointer
    /// Reused to assemble heads and error responses.
    var scratch: [UInt8] = []
    /// Reused to assemble the forwarded request heads and the clients' response heads.
    var heads = HeadAssembler()
    /// Reused by the head parsers.
    var fields = ContiguousArray<HeaderField>()
    /// The time of the current event batch or timer tick.
    private(set) var now: UInt64 = MonotonicClock.milliseconds()

    /// Open client connections (for deadline sweeps and draining); each knows its index.
    var clients = ContiguousArray<ClientConnection>()
    var listener: Listener?
    var routing: WorkerRouting
    var settings: HTTPSettings {
        didSet { parserLimits = HTTPParserLimits(settings) }
    }
    /// Parser limits derived from `settings` (new connections pick them up).
    private(set) var parserLimits: HTTPParserLimits
    var requestIDs: RequestIDGenerator
    private(set) var inspector: (any RequestInspector)?
    /// Metrics and access log (nil: none).
    let observability: ProxyObservability?
    /// `observability?.metrics`, kept apart: reading the struct copies (retains) every reference in it.
    let metrics: TollgateMetrics?
    /// True when `observability` has an access log.
    let hasAccessLog: Bool
    /// Rate limits, concurrency caps and budgets (nil: none).
    private(set) var limits: WorkerLimits?
    private(set) var isDraining = false
    private var stopped = false
    /// Set (on the calling thread, before the queue block runs) once `start` was called: from then on the
    /// read source owns the epoll descriptor and closes it when cancelled.
    private var started = false
    /// Blocks submitted with `async(_:)` that have not run yet: the event handler stops lingering when one is
    /// waiting, so a reload or a drain is never held up behind a stream of readiness.
    private let pendingWork = Atomic<Int>(0)

    init(
        index: Int, configuration: TollgateConfiguration, router: Router, inspector: (any RequestInspector)?,
        logger: Logger, observability: ProxyObservability? = nil
    ) throws(ProxyError) {
        self.observability = observability
        self.metrics = observability?.metrics
        self.hasAccessLog = observability?.accessLog != nil
        self.index = index
        self.queue = DispatchQueue(label: "tollgate.worker.\(index)")
        var logger = logger
        logger[metadataKey: "worker"] = "\(index)"
        self.logger = logger
        let fd = tollgate_epoll_create()
        guard fd >= 0 else { throw ProxyError(.eventLoopFailed, "epoll_create1 failed: errno \(-fd)") }
        self.epollFD = fd
        self.eventMasks = .allocate(capacity: Self.batchSize)
        self.eventData = .allocate(capacity: Self.batchSize)
        self.readBuffer = .allocate(byteCount: 64 * 1024, alignment: 16)
        self.corkArena = .allocate(byteCount: Self.corkArenaBytes, alignment: 16)
        self.corked.reserveCapacity(Self.batchSize * 2)
        self.settings = configuration.http
        self.parserLimits = HTTPParserLimits(configuration.http)
        self.inspector = inspector
        self.requestIDs = RequestIDGenerator(worker: index)
        self.routing = WorkerRouting(router: router)
        self.scratch.reserveCapacity(8 * 1024)
        self.fields.reserveCapacity(64)
    }

    deinit {
        eventMasks.deallocate()
        eventData.deallocate()
        readBuffer.deallocate()
        corkArena.deallocate()
        if !started { _ = tollgate_close(epollFD) }
    }

    @inline(__always)
    func assertOnQueue() {
        #if DEBUG
            dispatchPrecondition(condition: .onQueue(queue))
        #endif
    }

    /// Runs `work` on the worker queue after the current event handler (which stops waiting for more readiness
    /// as soon as it sees the block). Use this, not `queue.async`, for anything whose effect must not be
    /// delayed by traffic (reloads, draining, stopping).
    func async(_ work: @escaping @Sendable () -> Void) {
        pendingWork.add(1, ordering: .releasing)
        queue.async { [self] in
            pendingWork.subtract(1, ordering: .relaxed)
            work()
        }
    }

    // MARK: Start and stop

    /// Starts watching the epoll descriptor and the deadline timer. Call once, from any thread.
    func start(listenerFD: Int32) {
        started = true
        queue.async { [self] in
            let source = DispatchSource.makeReadSource(fileDescriptor: epollFD, queue: queue)
            source.setEventHandler { [unowned self] in self.drainEvents() }
            // The epoll descriptor is closed only once its source is cancelled (never under a live source).
            let epollFD = self.epollFD
            source.setCancelHandler { _ = tollgate_close(epollFD) }
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(
                deadline: .now() + .milliseconds(100), repeating: .milliseconds(100), leeway: .milliseconds(20))
            timer.setEventHandler { [unowned self] in self.tick() }
            self.readSource = source
            self.timer = timer
            let listener = Listener(worker: self, fd: listenerFD)
            self.listener = listener
            listener.register()
            source.resume()
            timer.resume()
        }
    }

    /// Stops accepting and asks every connection to finish its current exchange and then close.
    func beginDraining() {
        assertOnQueue()
        guard !isDraining else { return }
        isDraining = true
        listener?.close()
        listener = nil
        var position = clients.count - 1
        while position >= 0 {
            if position < clients.count { clients[position].drain() }
            position -= 1
        }
        routing.closeIdle(worker: self)
    }

    /// Closes everything still open and releases the event sources. Last call on a worker.
    func stop() {
        assertOnQueue()
        guard !stopped else { return }
        if !isDraining { beginDraining() }
        for client in clients { client.close() }
        clients.removeAll()
        routing.closeAll(worker: self)
        if let old = limits?.backend as? RedisLimitBackend { old.stop() }
        limits = nil
        stopped = true
        timer?.cancel()
        readSource?.cancel()
        timer = nil
        readSource = nil
    }

    // MARK: Registration

    /// Adds `fd` to epoll with `interest`; returns the registration (fd -1 when epoll refused it).
    func register(fd: Int32, handler: any EventHandler, interest: UInt32) -> Registration {
        assertOnQueue()
        let slot = Int(fd)
        if slot >= handlers.count {
            let newCount = max(slot + 1, handlers.count * 2, 64)
            handlers.append(contentsOf: repeatElement(nil, count: newCount - handlers.count))
            generations.append(contentsOf: repeatElement(0, count: newCount - generations.count))
        }
        let generation = nextGeneration
        nextGeneration = nextGeneration &+ 1
        if nextGeneration == 0 { nextGeneration = 1 }
        let token = UInt64(generation) << 32 | UInt64(UInt32(bitPattern: fd))
        guard tollgate_epoll_ctl(epollFD, 1, fd, interest, token) == 0 else {
            return Registration()
        }
        handlers[slot] = handler
        generations[slot] = generation
        return Registration(fd: fd, token: token, interest: interest)
    }

    /// Changes the interest mask when it differs from the last one set (no syscall otherwise).
    @inline(__always)
    func setInterest(_ registration: inout Registration, _ interest: UInt32) {
        guard registration.isOpen, registration.interest != interest else { return }
        registration.interest = interest
        _ = tollgate_epoll_ctl(epollFD, 3, registration.fd, interest, registration.token)
    }

    /// Removes the descriptor from epoll, then closes it (in that order, so a reused number is never
    /// watched under the old registration). Bytes held for it in this batch are sent first.
    func close(_ registration: inout Registration) {
        guard registration.isOpen else { return }
        let fd = registration.fd
        if !corked.isEmpty, let index = corked.firstIndex(where: { $0.fd == fd }) {
            let held = takeCorked(index)
            // Best effort, as for bytes queued on backpressure: what the socket does not take now is dropped.
            _ = tollgate_write2(fd, held.baseAddress, held.count, nil, 0)
        }
        _ = tollgate_epoll_ctl(epollFD, 2, fd, 0, 0)
        if Int(fd) < handlers.count {
            handlers[Int(fd)] = nil
            generations[Int(fd)] = 0
        }
        _ = tollgate_close(fd)
        registration = Registration()
    }

    // MARK: Writing

    /// Writes to a socket of `owner`'s: like `SocketWrite.write`, except that while a batch of readiness is being
    /// handled a small write to a socket with nothing queued is held (copied) and sent after the batch, with the
    /// other writes of the batch.
    ///
    /// Why: waking the process at the other end of a loopback or local socket (the client, the function's
    /// server) is most of what a write costs when that process sleeps, and a batch of readiness answers many
    /// connections of the same peers. Written back to back at the end of the batch, the first write wakes a peer
    /// and the others mostly find it awake. With CRS, where a batch holds about 15 requests, waking peers took 15%
    /// of the proxy's CPU, and holding the writes raised the benign GETs served from 12.7k to 15.4k a second.
    /// Two writes to one socket in a batch also leave in one `writev`. A batch is bounded (`batchSize` events),
    /// so a held write waits at most for the rest of its batch; outside a batch (timers, reloads) writes go out
    /// at once. A failure, or a remainder the socket does not take, is handed to the owner after the batch.
    func write(
        owner: any CorkedOutputOwner, fd: Int32, out: inout OutputBuffer, _ first: UnsafeRawBufferPointer,
        _ second: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)
    ) -> WriteOutcome {
        let total = first.count &+ second.count
        guard corking, fd >= 0, out.isEmpty, total > 0 else {
            return SocketWrite.write(fd: fd, out: &out, first, second)
        }
        // The last entry is this socket's and nothing was held after it: the write extends it.
        let extendsLast = corked.last.map { $0.fd == fd && $0.end == corkUsed } ?? false
        guard total <= Self.corkLimit, corkUsed &+ total <= Self.corkArenaBytes,
            extendsLast || !corked.contains(where: { $0.fd == fd })
        else {
            // Too large, or held bytes for this socket before another's: they go now (in order), then this write.
            if case .failed(let error) = sendHeld(fd: fd, out: &out) { return .failed(error) }
            return SocketWrite.write(fd: fd, out: &out, first, second)
        }
        let start = corkUsed
        if let base = first.baseAddress, first.count > 0 {
            (corkArena + start).copyMemory(from: base, byteCount: first.count)
        }
        if let base = second.baseAddress, second.count > 0 {
            (corkArena + start + first.count).copyMemory(from: base, byteCount: second.count)
        }
        corkUsed = start &+ total
        if extendsLast {
            corked[corked.count - 1].end = corkUsed
        } else {
            corked.append(CorkedWrite(fd: fd, owner: owner, start: start, end: corkUsed))
            counters.heldWrites.add(1, ordering: .relaxed)
        }
        return .ok
    }

    /// Sends now the bytes held for `fd` in this batch, if any (what the socket does not take goes to `out`).
    /// Also for an owner about to decide whether it can close: held bytes are not in `out`.
    func sendHeld(fd: Int32, out: inout OutputBuffer) -> WriteOutcome {
        guard !corked.isEmpty, let index = corked.firstIndex(where: { $0.fd == fd }) else { return .ok }
        return SocketWrite.write(fd: fd, out: &out, takeCorked(index))
    }

    /// The bytes held by entry `index`, which is emptied (its socket set to -1, not removed: `flushCorked` may be
    /// walking the list). The bytes stay valid until the arena is reset at the end of the batch.
    private func takeCorked(_ index: Int) -> UnsafeRawBufferPointer {
        let held = corked[index]
        corked[index] = CorkedWrite(fd: -1, owner: held.owner, start: held.start, end: held.start)
        return UnsafeRawBufferPointer(start: corkArena + held.start, count: held.end - held.start)
    }

    /// Sends the writes held during the batch; remainders and failures go to their owners. An owner's reaction
    /// (closing, answering an error) runs with holding off, and a socket it closes is emptied from the list
    /// first (`close(_:)`), so no held bytes reach a reused descriptor number.
    private func flushCorked() {
        corking = false
        guard !corked.isEmpty else {
            corkUsed = 0
            return
        }
        var position = 0
        while position < corked.count {
            let held = corked[position]
            position += 1
            guard held.fd >= 0 else { continue }
            let bytes = takeCorked(position - 1)
            let written = tollgate_write2(held.fd, bytes.baseAddress, bytes.count, nil, 0)
            if written == bytes.count { continue }
            if written >= 0 || written == -Int(EAGAIN_VALUE) {
                counters.heldWriteRemainders.add(1, ordering: .relaxed)
                held.owner.corkedRemainder(UnsafeRawBufferPointer(rebasing: bytes[max(written, 0)...]))
            } else {
                held.owner.corkedWriteFailed()
            }
        }
        corked.removeAll(keepingCapacity: true)
        corkUsed = 0
    }

    // MARK: Events

    /// How long the read source's handler waits in `epoll_pwait2` for more readiness after a batch before
    /// it returns to Dispatch. Returning costs a re-arm of the source and, for the next batch, a wake-up of
    /// libdispatch's manager thread that then wakes a pool thread (two context switches); waiting here costs
    /// at most one. Short, so that the queue's other work (the 100 ms tick, reloads) waits little.
    static let lingerMicroseconds = 200
    /// Longest one handler invocation keeps processing batches before it yields the queue (nanoseconds); it also
    /// returns as soon as a block from `async(_:)` is waiting.
    static let handlerBudgetNanoseconds: UInt64 = 2_000_000

    private func drainEvents() {
        let started = DispatchTime.now().uptimeNanoseconds
        // The source fired: the first wait only collects what is ready.
        var timeout = 0
        while true {
            let count = Int(tollgate_epoll_wait_us(epollFD, eventMasks, eventData, Int32(Self.batchSize), timeout))
            if count <= 0 { return }
            // A block from `async(_:)` (a reload, a drain) goes first: epoll is level-triggered, so readiness left
            // unhandled here is reported again when the source fires after the block.
            if pendingWork.load(ordering: .acquiring) > 0 { return }
            let batchStart = DispatchTime.now().uptimeNanoseconds
            now = batchStart / 1_000_000
            corking = true
            for position in 0..<count {
                let data = eventData[position]
                let slot = Int(UInt32(truncatingIfNeeded: data))
                let generation = UInt32(truncatingIfNeeded: data >> 32)
                guard slot < handlers.count, generations[slot] == generation, let handler = handlers[slot] else {
                    continue
                }
                handler.handleEvent(eventMasks[position])
            }
            flushCorked()
            if stopped || batchStart &- started >= Self.handlerBudgetNanoseconds { return }
            timeout = count == Self.batchSize ? 0 : Self.lingerMicroseconds
        }
    }

    private func tick() {
        now = MonotonicClock.milliseconds()
        var position = clients.count - 1
        while position >= 0 {
            if position < clients.count { clients[position].checkDeadline(now: now) }
            position -= 1
        }
        routing.sweepIdle(worker: self, now: now)
        listener?.resumeIfPaused(now: now)
    }

    // MARK: Clients

    func add(client: ClientConnection) {
        client.sweepIndex = clients.count
        clients.append(client)
        counters.openClients.increment()
        metrics?.connectionOpened(.client)
    }

    func remove(client: ClientConnection) {
        let position = client.sweepIndex
        guard position >= 0, position < clients.count, clients[position] === client else { return }
        let last = clients.removeLast()
        if position < clients.count {
            clients[position] = last
            last.sweepIndex = position
        }
        client.sweepIndex = -1
        counters.openClients.decrement()
        metrics?.connectionClosed(.client)
        if clients.count < settings.maxConnections { listener?.resumeIfPaused(now: now) }
    }

    /// Installs a new router and inspector (reload): new pools for new requests; exchanges in flight keep their old
    /// pool and inspection transaction.
    func apply(router: Router, settings: HTTPSettings, inspector: (any RequestInspector)?) {
        assertOnQueue()
        self.settings = settings
        self.inspector = inspector
        routing.replace(with: router, worker: self)
    }

    /// Installs limits (start and reload). The same `ProxyLimits` keeps the worker's backend; new limits get
    /// a new backend (tickets issued by the old one are still settled through it).
    func apply(limits newLimits: ProxyLimits?) {
        assertOnQueue()
        if let current = limits, let newLimits, current.limits === newLimits { return }
        if let old = limits?.backend as? RedisLimitBackend { old.stop() }
        limits = newLimits.map { WorkerLimits(limits: $0, backend: $0.makeBackend(worker: self)) }
    }
}
