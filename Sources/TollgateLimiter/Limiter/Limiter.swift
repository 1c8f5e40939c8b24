import Synchronization

/// Per-client and per-function rate limits, concurrency caps and cost budgets, as one pure value-returning
/// object: no I/O, no clock reads (every call takes `now`), thread-safe behind one lock.
///
/// Enforcement order (cheapest first; nothing is changed until every check passes, so a refusal never
/// leaves a partial acquisition to undo): client rate → function rate → function concurrency → client
/// concurrency → client budget → function budget. A request refused by its own client's rate therefore
/// consumes nothing of the function's rate, concurrency or budget.
public final class Limiter: Sendable {
    let configuration: LimitsConfiguration
    let compiled: [CompiledFunction]
    private let ids: [String: FunctionID]
    private let clientLanes: (money: Int?, gbs: Int?)
    private let state: Mutex<LimiterState>

    /// The `FunctionID` of functions without an override (and of unknown names).
    public static let defaultFunction = FunctionID(index: 0)
    static let defaultName = "*"

    /// Validates `configuration` and builds an empty limiter.
    public init(configuration: LimitsConfiguration) throws(LimiterConfigurationError) {
        guard configuration.maxKeys >= 1, configuration.maxKeys <= Int(Int32.max) / 2 else {
            throw LimiterConfigurationError(.invalidMaxKeys, "max_keys must be in 1...\(Int(Int32.max) / 2)")
        }
        guard (1...64).contains(configuration.clientBudgetBuckets),
            (1...3600).contains(configuration.functionBudgetBuckets)
        else {
            throw LimiterConfigurationError(
                .invalidBudget, "budget buckets must be in 1...64 (client), 1...3600 (function)")
        }
        guard configuration.functions.count < 65_535 else {
            throw LimiterConfigurationError(.tooManyFunctions, "at most 65534 functions")
        }
        let names = configuration.functions.keys.sorted()
        let all =
            [(Limiter.defaultName, configuration.defaults)]
            + names.compactMap { n in configuration.functions[n].map { (n, $0) } }
        let wantsMoney = all.contains { $0.1.perClientBudget?.maxDollars != nil }
        let wantsGBs = all.contains { $0.1.perClientBudget?.maxGBSeconds != nil }
        let lanes: (money: Int?, gbs: Int?) = (wantsMoney ? 0 : nil, wantsGBs ? (wantsMoney ? 1 : 0) : nil)
        var compiled: [CompiledFunction] = []
        for (name, limits) in all {
            compiled.append(
                try CompiledFunction(
                    name: name, limits: limits, clientLanes: lanes, clientBuckets: configuration.clientBudgetBuckets,
                    functionBuckets: configuration.functionBudgetBuckets))
        }
        var ids: [String: FunctionID] = [:]
        for (i, name) in names.enumerated() { ids[name] = FunctionID(index: UInt16(i + 1)) }
        let laneCount = (wantsMoney ? 1 : 0) + (wantsGBs ? 1 : 0)
        let table = KeyTable(
            maxKeys: configuration.maxKeys, budgetStride: laneCount * configuration.clientBudgetBuckets)
        let functions = compiled.map { f in FunctionState(estimator: DurationEstimator(smoothing: f.smoothing ?? 1)) }
        let budgets = compiled.map { f in [UInt64](repeating: 0, count: f.functionBudget?.window.stride ?? 0) }
        self.configuration = configuration
        self.compiled = compiled
        self.ids = ids
        self.clientLanes = lanes
        self.state = Mutex(
            LimiterState(
                table: table, functions: functions, functionBudgets: budgets,
                functionEpochs: [UInt32](repeating: 0, count: compiled.count)))
    }

    /// Resolves a function name once (at load); unknown names get the defaults.
    public func function(named name: String) -> FunctionID { ids[name] ?? Limiter.defaultFunction }

    /// The name a `FunctionID` was resolved from ("*" for the defaults).
    public func name(of function: FunctionID) -> String { compiled[Int(function.index)].name }

    // MARK: Deciding

    /// Decides one request of `function` from `clientKey` (bytes from `ClientIdentity`) at `now` (ns).
    public func decide(function: FunctionID, clientKey: some Collection<UInt8>, now: UInt64) -> LimitDecision {
        let hash = Limiter.keyHash(function: function.index, key: clientKey)
        let f = compiled[Int(function.index)]
        return state.withLock { state in decideLocked(&state, f: f, fi: function.index, hash: hash, now: now) }
    }

    /// Convenience for `decide(function:clientKey:now:)` with names (resolves the function each call).
    public func decide(function: String, clientKey: String, now: UInt64) -> LimitDecision {
        decide(function: self.function(named: function), clientKey: Array(clientKey.utf8), now: now)
    }

    static func keyHash(function: UInt16, key: some Collection<UInt8>) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(function)
        if let done = key.withContiguousStorageIfAvailable({ hasher.combine(bytes: UnsafeRawBufferPointer($0)) }) {
            _ = done
        } else {
            let copy = Array(key)
            copy.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
        return UInt64(UInt(bitPattern: hasher.finalize()))
    }

    /// Expected duration of the next invocation of `f`.
    private func expectedDuration(_ f: CompiledFunction, _ fs: FunctionState) -> UInt64 {
        f.smoothing == nil ? f.timeoutNanoseconds : fs.estimator.expected(fallback: f.timeoutNanoseconds)
    }

    private func isIdle(_ table: borrowing KeyTable, _ e: Int, now: UInt64) -> Bool {
        guard table.inFlight[e] == 0, table.tats[e] <= now else { return false }
        guard table.budgetStride > 0, let b = compiled[Int(table.functions[e])].clientBudget else { return true }
        return b.window.isEmpty(table.budgets, base: e * table.budgetStride, epoch: table.epochs[e], now: now)
    }

    private func decideLocked(
        _ state: inout LimiterState, f: CompiledFunction, fi: UInt16, hash: UInt64, now: UInt64
    ) -> LimitDecision {
        if now >= state.nextExpiry {
            expireLocked(&state, now: now)
            state.nextExpiry = now &+ Nanoseconds.perSecond
        }
        let (e, evicted) = state.table.findOrInsert(
            hash, function: fi, idleScan: configuration.evictionScan,
            isIdle: { table, i in isIdle(table, i, now: now) })
        if let evicted, evicted.inFlight > 0 {
            state.functions[Int(evicted.function)].activeClients -= 1
        }
        let fs = state.functions[Int(fi)]
        var failure: (kind: LimitKind, retryAfter: UInt64)?
        var budgetRemaining: BudgetRemaining?
        var degraded: (kind: LimitKind, upstream: String)?

        // 1, 2: rates (peek only).
        var clientTAT: UInt64?
        var functionTAT: UInt64?
        var clientStatus: (remaining: Int, reset: UInt64)?
        var functionStatus: (remaining: Int, reset: UInt64)?
        if let g = f.clientRate {
            switch g.decide(tat: state.table.tats[e], now: now) {
            case .allowed(let tat, let remaining, let reset):
                clientTAT = tat
                clientStatus = (remaining, reset)
            case .limited(let retry, _):
                failure = (.clientRate, retry)
                clientStatus = (0, retry)
            }
        }
        if let g = f.functionRate {
            switch g.decide(tat: fs.tat, now: now) {
            case .allowed(let tat, let remaining, let reset):
                functionTAT = tat
                functionStatus = (remaining, reset)
            case .limited(let retry, _):
                if failure == nil { failure = (.functionRate, retry) }
                functionStatus = (0, retry)
            }
        }
        let expected = expectedDuration(f, fs)
        // 3, 4: concurrency.
        if failure == nil, let cap = f.functionCap, fs.inFlight >= cap {
            failure = (.functionConcurrency, expected)
        }
        let clientInFlight = Int(state.table.inFlight[e])
        if failure == nil, clientInFlight >= clientCap(f, fs, clientInFlight: clientInFlight) {
            failure = (.clientConcurrency, expected)
        }
        // 5, 6: budgets (predictive: the expected cost must fit).
        let cost = Cost(durationNanoseconds: expected, memoryMB: f.limits.memoryMB, pricing: f.limits.pricing)
        let stride = state.table.budgetStride
        if let b = f.clientBudget, stride > 0 {
            b.window.advance(&state.table.budgets, base: e * stride, epoch: &state.table.epochs[e], now: now)
            let check = checkBudget(b, state.table.budgets, base: e * stride, lanes: clientLanes, cost: cost, now: now)
            budgetRemaining = check.remaining
            if failure == nil, let retry = check.retryAfter {
                if let upstream = f.limits.perClientBudget?.degradeTo {
                    degraded = degraded ?? (.clientBudget, upstream)
                } else {
                    failure = (.clientBudget, retry)
                }
            }
        }
        if let b = f.functionBudget {
            b.window.advance(&state.functionBudgets[Int(fi)], base: 0, epoch: &state.functionEpochs[Int(fi)], now: now)
            let check = checkBudget(b, state.functionBudgets[Int(fi)], base: 0, lanes: (0, 1), cost: cost, now: now)
            if failure == nil, let retry = check.retryAfter {
                if let upstream = f.limits.perFunctionBudget?.degradeTo {
                    degraded = degraded ?? (.functionBudget, upstream)
                } else {
                    failure = (.functionBudget, retry)
                    budgetRemaining = check.remaining
                }
            }
        }

        if f.limits.shadow, failure == nil, let degraded {
            failure = (degraded.kind, 0)  // shadow mode only counts: a degradation is reported like a refusal
        }
        if let failure {
            // Nothing was consumed: report what is available without this request.
            if let g = f.clientRate, clientTAT != nil {
                let tat = state.table.tats[e]
                clientStatus = (g.remaining(tat: tat, now: now), tat > now ? tat - now : 0)
            }
            if let g = f.functionRate, functionTAT != nil {
                let tat = state.functions[Int(fi)].tat
                functionStatus = (g.remaining(tat: tat, now: now), tat > now ? tat - now : 0)
            }
            state.rejected[failure.kind.index] &+= f.limits.shadow ? 0 : 1
            if f.limits.shadow {
                state.shadowRejected[failure.kind.index] &+= 1
                let headers = headers(f, clientStatus, functionStatus, retryAfter: nil)
                return .allow(
                    Admission(
                        permit: Permit(id: 0, function: FunctionID(index: fi)), reserved: .zero, startedAt: now,
                        headers: headers, clientBudgetRemaining: budgetRemaining, shadowRejection: failure.kind,
                        degradedTo: nil))
            }
            let headers = headers(f, clientStatus, functionStatus, retryAfter: failure.retryAfter)
            return .reject(
                Rejection(
                    kind: failure.kind, retryAfter: failure.retryAfter, function: f.name, headers: headers,
                    budgetRemaining: failure.kind == .clientBudget || failure.kind == .functionBudget
                        ? budgetRemaining : nil,
                    message: nil))
        }

        // Commit: every check passed.
        if let clientTAT { state.table.tats[e] = clientTAT }
        if clientInFlight == 0 { state.functions[Int(fi)].activeClients += 1 }
        state.table.inFlight[e] += 1
        state.functions[Int(fi)].inFlight += 1
        if let functionTAT { state.functions[Int(fi)].tat = functionTAT }
        var clientBucket: UInt64 = 0
        var functionBucket: UInt64 = 0
        let reserved = degraded == nil ? cost : .zero
        if degraded != nil { state.degraded[degraded?.kind.index ?? 0] &+= 1 }
        if let b = f.clientBudget, stride > 0, degraded == nil {
            clientBucket = b.window.bucketNumber(now)
            charge(
                b.window, &state.table.budgets, base: e * stride, bucket: clientBucket, lanes: clientLanes, cost: cost)
        }
        if let b = f.functionBudget, degraded == nil {
            functionBucket = b.window.bucketNumber(now)
            charge(
                b.window, &state.functionBudgets[Int(fi)], base: 0, bucket: functionBucket, lanes: (0, 1), cost: cost)
        }
        let id = state.nextPermit
        state.nextPermit += 1
        state.permits[id] = PermitRecord(
            function: fi, key: hash, startedAt: now, reserved: reserved, clientBucket: clientBucket,
            functionBucket: functionBucket, chargesBudgets: degraded == nil)
        state.admitted &+= 1
        return .allow(
            Admission(
                permit: Permit(id: id, function: FunctionID(index: fi)), reserved: reserved, startedAt: now,
                headers: headers(f, clientStatus, functionStatus, retryAfter: nil),
                clientBudgetRemaining: budgetRemaining, shadowRejection: nil,
                degradedTo: degraded.map { Degradation(kind: $0.kind, upstream: $0.upstream) }))
    }

    /// The most in-flight invocations this client may hold: the fixed per-client cap and, when enabled,
    /// the fair share `max(floor, ceil(function cap / active clients))`.
    private func clientCap(_ f: CompiledFunction, _ fs: FunctionState, clientInFlight: Int) -> Int {
        let c = f.limits.concurrency
        var cap = min(c.perClient ?? 65_535, 65_535)
        if c.fairShare, let total = c.perFunction {
            let active = fs.activeClients + (clientInFlight == 0 ? 1 : 0)
            let share = (total + active - 1) / max(active, 1)
            cap = min(cap, max(c.fairShareFloor, share))
        }
        return cap
    }

    private func checkBudget(
        _ b: CompiledBudget, _ storage: [UInt64], base: Int, lanes: (money: Int?, gbs: Int?), cost: Cost, now: UInt64
    ) -> (retryAfter: UInt64?, remaining: BudgetRemaining) {
        var retry: UInt64?
        var remaining = BudgetRemaining()
        func lane(_ lane: Int?, max: UInt64?, amount: UInt64) -> UInt64? {
            guard let lane, let max else { return nil }
            let used = b.window.sum(storage, base: base, lane: lane)
            let left = used >= max ? 0 : max - used
            if amount > left {
                let wait =
                    amount > max
                    ? b.windowNanoseconds
                    : (b.window.timeUntil(storage, base: base, lane: lane, atMost: max - amount, now: now)
                        ?? b.windowNanoseconds)
                retry = Swift.max(retry ?? 0, wait)
                return left
            }
            return left - amount  // what is left once this reservation is charged
        }
        if let left = lane(lanes.money, max: b.maxPicodollars, amount: cost.picodollars) {
            remaining.dollars = Double(left) / 1e12
        }
        if let left = lane(lanes.gbs, max: b.maxMicroGBSeconds, amount: cost.microGBSeconds) {
            remaining.gbSeconds = Double(left) / 1e6
        }
        return (retry, remaining)
    }

    private func charge(
        _ w: RollingWindow, _ storage: inout [UInt64], base: Int, bucket: UInt64, lanes: (money: Int?, gbs: Int?),
        cost: Cost
    ) {
        if let l = lanes.money { w.add(&storage, base: base, bucket: bucket, lane: l, amount: cost.picodollars) }
        if let l = lanes.gbs { w.add(&storage, base: base, bucket: bucket, lane: l, amount: cost.microGBSeconds) }
    }

    private func uncharge(
        _ w: RollingWindow, _ storage: inout [UInt64], base: Int, bucket: UInt64, lanes: (money: Int?, gbs: Int?),
        cost: Cost
    ) {
        if let l = lanes.money { w.subtract(&storage, base: base, bucket: bucket, lane: l, amount: cost.picodollars) }
        if let l = lanes.gbs { w.subtract(&storage, base: base, bucket: bucket, lane: l, amount: cost.microGBSeconds) }
    }

    private func headers(
        _ f: CompiledFunction, _ client: (remaining: Int, reset: UInt64)?, _ function: (remaining: Int, reset: UInt64)?,
        retryAfter: UInt64?
    ) -> RateLimitHeaders {
        RateLimitHeaders(
            policy: f.policyField,
            client: client.map { .init(remaining: $0.remaining, resetSeconds: Nanoseconds.secondsRoundedUp($0.reset)) },
            function: function.map {
                .init(remaining: $0.remaining, resetSeconds: Nanoseconds.secondsRoundedUp($0.reset))
            },
            retryAfterSeconds: retryAfter.map { max(1, Nanoseconds.secondsRoundedUp($0)) })
    }

    static func message(_ kind: LimitKind, function: String) -> String {
        switch kind {
        case .clientRate: "Too many requests from this client for function \(function)."
        case .functionRate: "Too many requests for function \(function)."
        case .functionConcurrency: "Function \(function) has too many invocations in flight."
        case .clientConcurrency: "This client has too many invocations of function \(function) in flight."
        case .clientBudget: "This client has spent its cost budget for function \(function) in the current window."
        case .functionBudget: "Function \(function) has spent its cost budget in the current window."
        }
    }

    // MARK: Completing

    /// Releases `admission`'s permit and settles its cost: the reservation is removed and the measured
    /// cost charged. Call exactly once per admission on every exit path; a second call changes nothing
    /// and returns `.alreadyReleased`.
    ///
    /// - Parameters:
    ///   - upstreamNanoseconds: how long the upstream ran; nil means `now − admission.startedAt`.
    ///     Ignored for `.notForwarded` (nothing is charged).
    public func complete(
        _ admission: Admission, outcome: CompletionOutcome, upstreamNanoseconds: UInt64? = nil, now: UInt64
    ) -> ReleaseResult {
        if admission.permit.id == 0 { return .shadow }
        return state.withLock { state in
            guard let record = state.permits.removeValue(forKey: admission.permit.id) else {
                state.doubleReleases &+= 1
                return .alreadyReleased
            }
            let f = compiled[Int(record.function)]
            let actual: Cost
            if outcome == .notForwarded {
                actual = .zero
            } else {
                let duration = upstreamNanoseconds ?? (now > record.startedAt ? now - record.startedAt : 0)
                actual = Cost(durationNanoseconds: duration, memoryMB: f.limits.memoryMB, pricing: f.limits.pricing)
                if outcome != .clientAbort && record.chargesBudgets {
                    state.functions[Int(record.function)].estimator.record(duration)
                }
            }
            settleLocked(&state, record, actual: actual, now: now)
            return .released(charged: record.chargesBudgets ? actual : .zero)
        }
    }

    private func settleLocked(_ state: inout LimiterState, _ record: PermitRecord, actual: Cost, now: UInt64) {
        let fi = Int(record.function)
        let f = compiled[fi]
        if state.functions[fi].inFlight > 0 { state.functions[fi].inFlight -= 1 }
        let stride = state.table.budgetStride
        if let e32 = state.table.find(record.key) {
            let e = Int(e32)
            if state.table.inFlight[e] > 0 {
                state.table.inFlight[e] -= 1
                if state.table.inFlight[e] == 0, state.functions[fi].activeClients > 0 {
                    state.functions[fi].activeClients -= 1
                }
            }
            if let b = f.clientBudget, stride > 0, record.chargesBudgets {
                b.window.advance(&state.table.budgets, base: e * stride, epoch: &state.table.epochs[e], now: now)
                var bucket = b.window.bucketNumber(now)
                if b.window.contains(bucket: record.clientBucket, now: now) {
                    uncharge(
                        b.window, &state.table.budgets, base: e * stride, bucket: record.clientBucket,
                        lanes: clientLanes, cost: record.reserved)
                    bucket = record.clientBucket
                }
                charge(
                    b.window, &state.table.budgets, base: e * stride, bucket: bucket, lanes: clientLanes, cost: actual)
            }
        }
        if let b = f.functionBudget, record.chargesBudgets {
            b.window.advance(&state.functionBudgets[fi], base: 0, epoch: &state.functionEpochs[fi], now: now)
            var bucket = b.window.bucketNumber(now)
            if b.window.contains(bucket: record.functionBucket, now: now) {
                uncharge(
                    b.window, &state.functionBudgets[fi], base: 0, bucket: record.functionBucket, lanes: (0, 1),
                    cost: record.reserved)
                bucket = record.functionBucket
            }
            charge(b.window, &state.functionBudgets[fi], base: 0, bucket: bucket, lanes: (0, 1), cost: actual)
        }
    }

    /// Reclaims permits older than their function's TTL (the proxy lost them): each is released and its
    /// reservation kept as the charge. Also runs at most once per second from `decide`. Returns how many.
    @discardableResult
    public func expire(now: UInt64) -> Int {
        state.withLock { state in expireLocked(&state, now: now) }
    }

    @discardableResult
    private func expireLocked(_ state: inout LimiterState, now: UInt64) -> Int {
        var stale: [UInt64] = []
        for (id, record) in state.permits where now &- record.startedAt > compiled[Int(record.function)].permitTTL {
            if now > record.startedAt { stale.append(id) }
        }
        for id in stale {
            guard let record = state.permits.removeValue(forKey: id) else { continue }
            settleLocked(&state, record, actual: record.reserved, now: now)
            state.expiredPermits &+= 1
        }
        return stale.count
    }

    /// Drops up to `limit` least recently used keys whose state equals a fresh key's; returns how many.
    /// Optional housekeeping: eviction already prefers idle keys when the table is full.
    @discardableResult
    public func sweepIdle(now: UInt64, limit: Int = 1024) -> Int {
        state.withLock { state in
            state.table.sweepIdle(limit: limit, isIdle: { table, i in isIdle(table, i, now: now) })
        }
    }

    // MARK: Introspection

    /// What is left of `function`'s own budget (`perFunctionBudget`) in its window at `now`: the limit
    /// minus the measured cost of settled invocations and the reservations of those in flight, floored
    /// at zero. Nil when the function has no function budget (or only a unit it does not limit is asked
    /// for: that member is nil). Takes the limiter's lock once; meant for scrapes, not the request path.
    public func functionBudgetRemaining(_ function: FunctionID, now: UInt64) -> BudgetRemaining? {
        let fi = Int(function.index)
        guard let b = compiled[fi].functionBudget else { return nil }
        return state.withLock { state in
            b.window.advance(&state.functionBudgets[fi], base: 0, epoch: &state.functionEpochs[fi], now: now)
            let storage = state.functionBudgets[fi]
            func left(_ lane: Int, _ max: UInt64?) -> UInt64? {
                guard let max else { return nil }
                let used = b.window.sum(storage, base: 0, lane: lane)
                return used >= max ? 0 : max - used
            }
            return BudgetRemaining(
                dollars: left(0, b.maxPicodollars).map { Double($0) / 1e12 },
                gbSeconds: left(1, b.maxMicroGBSeconds).map { Double($0) / 1e6 })
        }
    }

    public func stats() -> LimiterStats {
        state.withLock { state in
            var functionInFlight: [String: Int] = [:]
            var active: [String: Int] = [:]
            for (i, f) in compiled.enumerated() {
                functionInFlight[f.name] = state.functions[i].inFlight
                active[f.name] = state.functions[i].activeClients
            }
            var clientInFlight = 0
            for e in state.table.recencyOrder() { clientInFlight += Int(state.table.inFlight[e]) }
            var rejected: [LimitKind: UInt64] = [:]
            var shadow: [LimitKind: UInt64] = [:]
            var degraded: [LimitKind: UInt64] = [:]
            for k in LimitKind.allCases {
                rejected[k] = state.rejected[k.index]
                shadow[k] = state.shadowRejected[k.index]
                if state.degraded[k.index] > 0 { degraded[k] = state.degraded[k.index] }
            }
            return LimiterStats(
                keys: state.table.count, evictions: state.table.evictions, idleEvictions: state.table.idleEvictions,
                outstandingPermits: state.permits.count, functionInFlight: functionInFlight,
                clientInFlight: clientInFlight, activeClients: active, admitted: state.admitted, rejected: rejected,
                shadowRejected: shadow, degraded: degraded, doubleReleases: state.doubleReleases,
                expiredPermits: state.expiredPermits)
        }
    }

    /// Bytes the key table holds; divide by `keys` for bytes per key.
    public func memoryReport() -> MemoryReport {
        state.withLock { state in
            MemoryReport(
                keys: state.table.count, entryBytes: state.table.entryBytes, usedBytes: state.table.usedBytes,
                reservedBytes: state.table.allocatedBytes)
        }
    }

    /// True when the table holds a key for (`function`, `clientKey`); for tests of eviction.
    public func contains(function: FunctionID, clientKey: some Collection<UInt8>) -> Bool {
        let hash = Limiter.keyHash(function: function.index, key: clientKey)
        return state.withLock { $0.table.find(hash) != nil }
    }
}
