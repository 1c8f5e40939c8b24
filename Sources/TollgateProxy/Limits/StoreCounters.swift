import Synchronization
import TollgateLimiter

/// Counters of the shared store a metrics layer reads (relaxed atomics; never labelled by client).
final class StoreCounters: Sendable {
    /// Failed store calls by `RedisError.Code` (index: `RedisError.Code.allCases` order).
    private let errorCounts = Mutex<[UInt64]>(Array(repeating: 0, count: RedisError.Code.allCases.count))
    /// Admissions decided by the local limiter because the store was unavailable (fail-open).
    let localFallbacks = Atomic<UInt64>(0)
    /// Requests refused with 503 because the store was unavailable (fail-closed).
    let unavailableRefusals = Atomic<UInt64>(0)
    /// Admissions decided by the store.
    let storeDecisions = Atomic<UInt64>(0)
    /// Settlements dropped because the store was unavailable (the permit then expires in the store).
    let droppedSettlements = Atomic<UInt64>(0)
    /// Transitions from up to down.
    let outages = Atomic<UInt64>(0)
    /// Nanoseconds spent down in completed outages (see `RedisLimitBackend.unavailableSeconds`).
    let downNanoseconds = Atomic<UInt64>(0)

    /// Monotonic nanoseconds when the current outage began; 0 while the store is up.
    let downSince = Atomic<UInt64>(0)

    /// Seconds the store has been unavailable in total, including the current outage (with
    /// `store_failure: open` these are the fail-open seconds).
    func unavailableSeconds(now: UInt64) -> Double {
        let since = downSince.load(ordering: .relaxed)
        let current = since == 0 || now < since ? 0 : now - since
        return Double(downNanoseconds.load(ordering: .relaxed) + current) / 1e9
    }

    /// Function budgets as the store last reported them, per function name (see `StoreBudgetCell`).
    private let budgetCells = Mutex<[String: StoreBudgetCell]>([:])

    init() {}

    /// The cell of `function` (created on first use; one per name, shared by every worker).
    func budgetCell(for function: String) -> StoreBudgetCell {
        budgetCells.withLock { cells in
            if let cell = cells[function] { return cell }
            let cell = StoreBudgetCell()
            cells[function] = cell
            return cell
        }
    }

    /// The store's last report of `function`'s budget use (nil: no admission of it answered yet).
    func storeBudgetUse(of function: String) -> Cost? {
        budgetCells.withLock { $0[function] }?.use
    }

    func recordError(_ code: RedisError.Code) {
        if let i = RedisError.Code.allCases.firstIndex(of: code) { errorCounts.withLock { $0[i] &+= 1 } }
    }

    func errors(_ code: RedisError.Code) -> UInt64 {
        guard let i = RedisError.Code.allCases.firstIndex(of: code) else { return 0 }
        return errorCounts.withLock { $0[i] }
    }

    /// Every error kind with its count.
    var errorsByKind: [String: UInt64] {
        var out: [String: UInt64] = [:]
        let counts = errorCounts.withLock { $0 }
        for (i, code) in RedisError.Code.allCases.enumerated() { out[code.rawValue] = counts[i] }
        return out
    }
}

/// What one function's budget window held (settled costs and reservations, this request's included) when
/// the store last answered an admission of it, from any worker of this instance. Written with relaxed
/// atomics after each store answer; read at scrape time for `tollgate_function_budget_remaining_*`.
final class StoreBudgetCell: Sendable {
    private let picodollars = Atomic<Int64>(-1)
    private let microGBSeconds = Atomic<Int64>(-1)

    init() {}

    func record(picodollars: Int64, microGBSeconds: Int64) {
        self.picodollars.store(max(0, picodollars), ordering: .relaxed)
        self.microGBSeconds.store(max(0, microGBSeconds), ordering: .relaxed)
    }

    /// Nil until the first answer.
    var use: Cost? {
        let m = picodollars.load(ordering: .relaxed)
        let g = microGBSeconds.load(ordering: .relaxed)
        guard m >= 0, g >= 0 else { return nil }
        return Cost(picodollars: UInt64(m), microGBSeconds: UInt64(g))
    }
}
