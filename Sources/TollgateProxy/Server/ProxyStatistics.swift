import Synchronization

/// A point-in-time sum of every worker's counters (for the metrics endpoint and tests).
public struct ProxyStatistics: Sendable, Equatable {
    /// Client connections accepted since start.
    public var acceptedConnections: Int = 0
    /// Client connections open now.
    public var openClientConnections: Int = 0
    /// Upstream connections open now (busy and idle).
    public var openUpstreamConnections: Int = 0
    /// Idle keep-alive upstream connections in the pools now.
    public var idleUpstreamConnections: Int = 0
    /// Requests whose head was parsed.
    public var requests: Int = 0
    /// Responses answered by the proxy itself (errors, 404, 405, blocks).
    public var localResponses: Int = 0
    /// Responses whose head came from an upstream.
    public var upstreamResponses: Int = 0
    /// Upstream failures (refused, reset, garbled, timed out).
    public var upstreamFailures: Int = 0
    /// Requests blocked by the inspector.
    public var blockedRequests: Int = 0
    /// Writes held until the end of their event batch, and those of them the socket did not take whole there
    /// (the rest was queued as on backpressure).
    public var heldWrites: Int = 0
    public var heldWriteRemainders: Int = 0

    public init() {}
}

/// One worker's counters: written by its queue with relaxed atomics, read from anywhere.
final class WorkerCounters: Sendable {
    let accepted = Atomic<Int>(0)
    let openClients = Atomic<Int>(0)
    let openUpstreams = Atomic<Int>(0)
    let idleUpstreams = Atomic<Int>(0)
    let requests = Atomic<Int>(0)
    let localResponses = Atomic<Int>(0)
    let upstreamResponses = Atomic<Int>(0)
    let upstreamFailures = Atomic<Int>(0)
    let blocked = Atomic<Int>(0)
    let heldWrites = Atomic<Int>(0)
    let heldWriteRemainders = Atomic<Int>(0)

    init() {}

    func add(into total: inout ProxyStatistics) {
        total.acceptedConnections += accepted.load(ordering: .relaxed)
        total.openClientConnections += openClients.load(ordering: .relaxed)
        total.openUpstreamConnections += openUpstreams.load(ordering: .relaxed)
        total.idleUpstreamConnections += idleUpstreams.load(ordering: .relaxed)
        total.requests += requests.load(ordering: .relaxed)
        total.localResponses += localResponses.load(ordering: .relaxed)
        total.upstreamResponses += upstreamResponses.load(ordering: .relaxed)
        total.upstreamFailures += upstreamFailures.load(ordering: .relaxed)
        total.blockedRequests += blocked.load(ordering: .relaxed)
        total.heldWrites += heldWrites.load(ordering: .relaxed)
        total.heldWriteRemainders += heldWriteRemainders.load(ordering: .relaxed)
    }
}

extension Atomic where Value == Int {
    @inline(__always)
    func increment() { wrappingAdd(1, ordering: .relaxed) }
    @inline(__always)
    func decrement() { wrappingSubtract(1, ordering: .relaxed) }
}
