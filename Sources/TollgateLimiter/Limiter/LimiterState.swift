/// Mutable state of one function across all clients.
struct FunctionState: Sendable {
    var tat: UInt64 = 0
    var inFlight = 0
    /// Clients of this function holding at least one permit (for the fair share).
    var activeClients = 0
    var estimator: DurationEstimator
}

/// An outstanding permit: enough to release it exactly once.
struct PermitRecord: Sendable {
    let function: UInt16
    let key: UInt64
    let startedAt: UInt64
    let reserved: Cost
    /// Absolute budget bucket numbers the reservation was charged to.
    let clientBucket: UInt64
    let functionBucket: UInt64
    /// False for degraded admissions: their cost belongs to the cheaper upstream, not to these budgets.
    let chargesBudgets: Bool
}

/// Everything behind the limiter's lock.
struct LimiterState: Sendable {
    var table: KeyTable
    var functions: [FunctionState]
    /// Per-function budget windows (kept apart from `functions` so they are mutated in place).
    var functionBudgets: [[UInt64]]
    var functionEpochs: [UInt32]
    var permits: [UInt64: PermitRecord] = [:]
    var nextPermit: UInt64 = 1
    var nextExpiry: UInt64 = 0
    var admitted: UInt64 = 0
    var rejected = [UInt64](repeating: 0, count: LimitKind.allCases.count)
    var shadowRejected = [UInt64](repeating: 0, count: LimitKind.allCases.count)
    var degraded = [UInt64](repeating: 0, count: LimitKind.allCases.count)
    var doubleReleases: UInt64 = 0
    var expiredPermits: UInt64 = 0
}

/// A snapshot of the limiter's counters (no per-client labels: see STYLE.md on metrics).
public struct LimiterStats: Sendable, Equatable {
    /// (function, client) keys in the table.
    public var keys: Int
    /// Keys evicted to make room, and how many of those were idle (equivalent to fresh).
    public var evictions: UInt64
    public var idleEvictions: UInt64
    /// Permits admitted and not yet released.
    public var outstandingPermits: Int
    /// In-flight invocations per function name (function-level counters).
    public var functionInFlight: [String: Int]
    /// Sum of all per-client in-flight counters in the table.
    public var clientInFlight: Int
    /// Clients holding a permit, per function name.
    public var activeClients: [String: Int]
    public var admitted: UInt64
    public var rejected: [LimitKind: UInt64]
    /// Shadow mode: requests admitted that enforcement would have refused.
    public var shadowRejected: [LimitKind: UInt64]
    /// Admissions sent to a cheaper upstream because this budget ran out (budget kinds only).
    public var degraded: [LimitKind: UInt64]
    /// `complete` calls for a permit that was already released.
    public var doubleReleases: UInt64
    /// Permits reclaimed after their TTL (never completed).
    public var expiredPermits: UInt64
}

/// Memory used by the key table.
public struct MemoryReport: Sendable, Equatable {
    public var keys: Int
    /// Bytes per entry in the parallel arrays (without index and growth slack).
    public var entryBytes: Int
    /// Bytes of the table in use (entries written so far and the hash index): what is resident.
    public var usedBytes: Int
    /// Bytes reserved for `max_keys` entries (address space; untouched pages are not resident).
    public var reservedBytes: Int

    public var bytesPerKey: Double { keys == 0 ? 0 : Double(usedBytes) / Double(keys) }
}
