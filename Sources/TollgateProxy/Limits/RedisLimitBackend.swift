import Dispatch
import Logging
import TollgateConfig
import TollgateLimiter

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Settings of the Redis limit store.
struct RedisStoreSettings: Sendable {
    var client: RedisClientSettings
    /// Prefix of every key (default `tollgate:`), so several deployments can share one server.
    var keyPrefix: String = "tollgate:"
    /// `store_failure:` open (local limits apply) or closed (503) while the store is unavailable.
    var failureMode: TollgateConfig.LimitsConfiguration.FailureMode = .open
    /// Added to every key's TTL (default 1 s). A key's state equals a fresh key's once its TAT / permit
    /// expiries / window are past on the *writer's* clock; an instance whose clock is behind must still
    /// see it, so keys live at least as much longer as the clocks may differ. Longer only costs memory.
    var ttlSlackMilliseconds: Int = 1000

    init(
        client: RedisClientSettings, keyPrefix: String = "tollgate:",
        failureMode: TollgateConfig.LimitsConfiguration.FailureMode = .open, ttlSlackMilliseconds: Int = 1000
    ) {
        self.client = client
        self.keyPrefix = keyPrefix
        self.failureMode = failureMode
        self.ttlSlackMilliseconds = ttlSlackMilliseconds
    }
}

/// Wall-clock microseconds (`CLOCK_REALTIME`): the store clock every instance must share (see
/// docs/redis.md: instances need roughly synchronized clocks, e.g. NTP).
@Sendable func wallClockMicroseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return UInt64(spec.tv_sec) &* 1_000_000 &+ UInt64(spec.tv_nsec) / 1000
}

/// Limits shared by every instance through one Redis server: each admission is one `EVALSHA` of the admit
/// script (all checks, committed atomically only if all pass), each completion one of the settle script.
///
/// One backend per worker (it owns that worker's connection). While the store is unavailable the
/// configured failure mode applies: `open` decides with this instance's local `Limiter` (same
/// configuration), `closed` answers `.unavailable` (503). Outages are logged once when they begin and
/// once when the store answers again; the client reconnects by itself with backoff.
///
/// Confinement: used only on `client.host.queue` (hence `@unchecked Sendable`).
final class RedisLimitBackend: LimitBackend, @unchecked Sendable {
    let limiter: Limiter
    let local: LocalLimitBackend
    let client: RedisClient
    let settings: RedisStoreSettings
    let counters: StoreCounters
    private let storeClock: @Sendable () -> UInt64
    private var logger: Logger
    private var plans: [String: FunctionPlan] = [:]
    private let nonce: String
    private var nextPermit: UInt64 = 0
    /// ARGV: the TTL slack in µs.
    private let ttlSlack: [UInt8]

    private enum Health { case starting, up, down }
    private var health = Health.starting
    /// Set by `stop`: failures from then on are the shutdown, not an outage.
    private var stopped = false

    /// - Parameters:
    ///   - limiter: the local limiter: its configuration is what the store enforces, and it decides while
    ///     the store is unavailable with `store_failure: open`.
    ///   - storeClock: microseconds on a clock shared by every instance (default: wall clock).
    init(
        limiter: Limiter, settings: RedisStoreSettings, host: any RedisIOHost,
        counters: StoreCounters = StoreCounters(),
        storeClock: @escaping @Sendable () -> UInt64 = wallClockMicroseconds, logger: Logger
    ) {
        self.limiter = limiter
        self.local = LocalLimitBackend(limiter: limiter)
        self.settings = settings
        self.counters = counters
        self.storeClock = storeClock
        var logger = logger
        logger[metadataKey: "limits.store"] = "redis://\(settings.client.host):\(settings.client.port)"
        self.logger = logger
        self.client = RedisClient(host: host, settings: settings.client, scripts: RedisScripts.all, logger: logger)
        self.ttlSlack = Array(String(max(0, settings.ttlSlackMilliseconds) * 1000).utf8)
        self.nonce = String(UInt64.random(in: 1...UInt64.max), radix: 36)
    }

    /// Connects (asynchronously; admissions before the store is ready take the failure mode). Call on
    /// the host queue.
    func start() {
        client.onReady = { [unowned self] in self.markUp() }
        client.onFailure = { [unowned self] error in
            // Connection-level failures (timeouts, resets, refused connects) are counted here, once each.
            self.counters.recordError(error.code)
            self.markDown(error)
        }
        client.start()
    }

    /// Closes the connection. Call on the host queue.
    func stop() {
        stopped = true
        client.onReady = nil
        client.onFailure = nil
        client.close()
    }

    var isStoreReady: Bool { client.state == .ready }

    // MARK: Health

    private func markDown(_ error: RedisError) {
        guard health != .down, !stopped else { return }
        health = .down
        counters.outages.add(1, ordering: .relaxed)
        counters.downSince.store(max(1, DispatchTime.now().uptimeNanoseconds), ordering: .relaxed)
        logger.warning(
            "limit store unavailable",
            metadata: [
                "redis.error": "\(error)", "limits.store_failure": "\(settings.failureMode.rawValue)",
            ])
    }

    private func markUp() {
        if health == .down {
            let since = counters.downSince.exchange(0, ordering: .relaxed)
            let now = DispatchTime.now().uptimeNanoseconds
            if since > 0, now > since { counters.downNanoseconds.add(now - since, ordering: .relaxed) }
            logger.info("limit store available again")
        } else {
            logger.debug("limit store connected")
        }
        health = .up
    }

    // MARK: Admission

    func admit(function: String, clientKey: [UInt8], now: UInt64, completion: @escaping (LimitVerdict) -> Void) {
        guard client.state == .ready else {
            if health == .starting { markDown(RedisError(.notConnected, "not connected yet")) }
            completion(fallback(function: function, clientKey: clientKey, now: now))
            return
        }
        let plan = self.plan(function)
        if plan.isUnlimited {
            // Nothing to share (e.g. `mode: off`): no round trip.
            completion(local.decide(function: function, clientKey: clientKey, now: now))
            return
        }
        let storeNow = storeClock()
        nextPermit &+= 1
        let permitNumber = nextPermit
        let permitID = Array("\(nonce)-\(permitNumber)".utf8)
        var arguments = [Array(String(storeNow).utf8)]
        arguments.append(contentsOf: plan.rateAndConcurrency)
        arguments.append(permitID)
        arguments.append(plan.permitTTL)
        arguments.append(clientKey)
        arguments.append(contentsOf: plan.costAndBudgets)
        arguments.append(ttlSlack)
        client.evalScript(
            RedisScripts.admitIndex, keys: plan.admitKeys(clientKey), arguments: arguments
        ) { [self] result in
            switch result {
            case .success(let reply):
                if let verdict = verdict(
                    reply, plan: plan, function: function, clientKey: clientKey, permitID: permitID,
                    permitNumber: permitNumber, storeNow: storeNow, now: now)
                {
                    counters.storeDecisions.add(1, ordering: .relaxed)
                    completion(verdict)
                } else {
                    let error = RedisError(reply.errorText == nil ? .unexpectedReply : .server, reply.errorText ?? "")
                    counters.recordError(error.code)
                    logger.debug("limit store reply not understood", metadata: ["redis.error": "\(error)"])
                    completion(fallback(function: function, clientKey: clientKey, now: now))
                }
            case .failure(let error):
                // Connection failures were counted by `onFailure`; a command refused before sending was not.
                if error.code == .notConnected { counters.recordError(error.code) }
                markDown(error)
                completion(fallback(function: function, clientKey: clientKey, now: now))
            }
        }
    }

    private func fallback(function: String, clientKey: [UInt8], now: UInt64) -> LimitVerdict {
        switch settings.failureMode {
        case .open:
            counters.localFallbacks.add(1, ordering: .relaxed)
            return local.decide(function: function, clientKey: clientKey, now: now)
        case .closed:
            counters.unavailableRefusals.add(1, ordering: .relaxed)
            let seconds = max(1, UInt64((settings.client.backoffMaxMilliseconds + 999) / 1000))
            return .unavailable(StoreUnavailable(retryAfterSeconds: seconds, function: function))
        }
    }

    private func verdict(
        _ reply: RESPValue, plan: FunctionPlan, function: String, clientKey: [UInt8], permitID: [UInt8],
        permitNumber: UInt64, storeNow: UInt64, now: UInt64
    ) -> LimitVerdict? {
        guard let items = reply.arrayValue, items.count == 14 else { return nil }
        var v = [Int64](repeating: 0, count: 14)
        for (i, item) in items.enumerated() {
            guard let n = item.integerValue else { return nil }
            v[i] = n
        }
        let f = plan.limits
        func ns(_ us: Int64) -> UInt64 { UInt64(max(0, us)) &* 1000 }
        let status = v[0]
        if let cell = plan.budgetCell, v[12] >= 0, v[13] >= 0 {
            // Reserved (v[9], v[10]) is 0 unless admitted and charged to the budgets.
            cell.record(picodollars: v[12] &+ max(0, v[9]), microGBSeconds: v[13] &+ max(0, v[10]))
        }
        let clientStatus = f.clientRate == nil ? nil : (remaining: Int(max(0, v[3])), resetNanoseconds: ns(v[4]))
        let functionStatus = f.functionRate == nil ? nil : (remaining: Int(max(0, v[5])), resetNanoseconds: ns(v[6]))
        var remaining: BudgetRemaining?
        if v[7] >= 0 || v[8] >= 0 {
            remaining = BudgetRemaining(
                storeDollars: v[7] >= 0 ? Double(v[7]) / 1e12 : nil, gbSeconds: v[8] >= 0 ? Double(v[8]) / 1e6 : nil)
        }
        switch status {
        case 0, 2:
            guard let kind = LimitKind(storeIndex: Int(v[1]) - 1) else { return nil }
            if status == 2 {
                let headers = RateLimitHeaders(
                    storePolicy: f.policyField, client: clientStatus, function: functionStatus, retryAfter: nil)
                let admission = Admission(
                    storePermit: Permit(storeID: 0, function: plan.id), reserved: .zero, startedAt: now,
                    headers: headers, clientBudgetRemaining: remaining, shadowRejection: kind, degradedTo: nil)
                return .allow(LimitTicket(admission: admission, origin: .nothing))
            }
            let headers = RateLimitHeaders(
                storePolicy: f.policyField, client: clientStatus, function: functionStatus, retryAfter: ns(v[2]))
            let isBudget = kind == .clientBudget || kind == .functionBudget
            return .reject(
                Rejection(
                    storeKind: kind, retryAfter: ns(v[2]), function: function, headers: headers,
                    budgetRemaining: isBudget ? remaining : nil))
        case 1:
            var degradation: Degradation?
            if v[11] != 0, let kind = LimitKind(storeIndex: Int(v[11]) - 1) {
                let upstream = kind == .clientBudget ? f.clientBudget?.degradeTo : f.functionBudget?.degradeTo
                if let upstream { degradation = Degradation(storeKind: kind, upstream: upstream) }
            }
            let headers = RateLimitHeaders(
                storePolicy: f.policyField, client: clientStatus, function: functionStatus, retryAfter: nil)
            let admission = Admission(
                storePermit: Permit(storeID: permitNumber, function: plan.id),
                reserved: Cost(picodollars: UInt64(max(0, v[9])), microGBSeconds: UInt64(max(0, v[10]))),
                startedAt: now, headers: headers, clientBudgetRemaining: f.clientBudget == nil ? nil : remaining,
                shadowRejection: nil, degradedTo: degradation)
            let permit = StorePermit(
                function: plan.name, functionID: plan.id, clientKey: clientKey, id: permitID,
                admittedAtMicroseconds: storeNow)
            return .allow(LimitTicket(admission: admission, origin: .store(permit)))
        default:
            return nil
        }
    }

    // MARK: Completion

    func complete(_ ticket: LimitTicket, outcome: CompletionOutcome, upstreamNanoseconds: UInt64?, now: UInt64) {
        let permit: StorePermit
        switch ticket.origin {
        case .local:
            local.complete(ticket, outcome: outcome, upstreamNanoseconds: upstreamNanoseconds, now: now)
            return
        case .nothing:
            return
        case .store(let p):
            permit = p
        }
        guard client.state == .ready else {
            // The permit expires in the store after its TTL; its reservation stays as the charge.
            counters.droppedSettlements.add(1, ordering: .relaxed)
            return
        }
        let plan = self.plan(permit.function)
        let f = plan.limits
        let admission = ticket.admission
        let duration = upstreamNanoseconds ?? (now > admission.startedAt ? now - admission.startedAt : 0)
        let actual: Cost =
            outcome == .notForwarded
            ? .zero : Cost(durationNanoseconds: duration, memoryMB: f.limits.memoryMB, pricing: f.limits.pricing)
        let charges = admission.degradedTo == nil
        let feedsAverage = charges && outcome != .clientAbort && outcome != .notForwarded && f.smoothing != nil
        func text(_ n: some BinaryInteger) -> [UInt8] { Array(String(n).utf8) }
        let budgetArguments: [[UInt8]] = [
            text(charges ? (f.clientBudget?.windowNanoseconds ?? 0) / 1000 : 0), text(f.clientBudget?.buckets ?? 1),
            text(charges ? (f.functionBudget?.windowNanoseconds ?? 0) / 1000 : 0),
            text(f.functionBudget?.buckets ?? 1),
        ]
        let arguments: [[UInt8]] =
            [
                text(storeClock()), permit.id, permit.clientKey, text(admission.reserved.picodollars),
                text(admission.reserved.microGBSeconds), text(actual.picodollars), text(actual.microGBSeconds),
                text(permit.admittedAtMicroseconds),
            ] + budgetArguments + [
                feedsAverage ? text(duration / 1000) : text(-1), Array(String(f.smoothing ?? 1).utf8),
                text(UInt64(86_400_000_000)), ttlSlack,
            ]
        client.evalScript(RedisScripts.settleIndex, keys: plan.settleKeys(permit.clientKey), arguments: arguments) {
            [self] result in
            switch result {
            case .success(let reply):
                if let items = reply.arrayValue, items.count == 3, items.allSatisfy({ $0.integerValue != nil }) {
                    let m = items[1].integerValue ?? -1
                    let g = items[2].integerValue ?? -1
                    if m >= 0, g >= 0 { plan.budgetCell?.record(picodollars: m, microGBSeconds: g) }
                } else {
                    counters.recordError(reply.errorText == nil ? .unexpectedReply : .server)
                }
            case .failure(let error):
                if error.code == .notConnected { counters.recordError(error.code) }
                markDown(error)
            }
        }
    }

    // MARK: Plans

    private func plan(_ function: String) -> FunctionPlan {
        if let plan = plans[function] { return plan }
        let id = limiter.function(named: function)
        let limits = limiter.sharedLimits(of: id)
        let plan = FunctionPlan(
            id: id, limits: limits, prefix: settings.keyPrefix,
            budgetCell: limits.functionBudget == nil ? nil : counters.budgetCell(for: limits.name))
        plans[function] = plan
        return plan
    }
}

/// A function's script arguments and key names, rendered once.
struct FunctionPlan: Sendable {
    let id: FunctionID
    let name: String
    let limits: SharedFunctionLimits
    /// No rate, concurrency cap or budget: the store has nothing to decide.
    let isUnlimited: Bool
    /// ARGV 2...9.
    let rateAndConcurrency: [[UInt8]]
    /// ARGV 11.
    let permitTTL: [UInt8]
    /// ARGV 13...28.
    let costAndBudgets: [[UInt8]]
    /// Where the store's report of the function budget goes (nil: no function budget).
    let budgetCell: StoreBudgetCell?
    private let functionKeys: (rate: [UInt8], permits: [UInt8], active: [UInt8], budget: [UInt8], average: [UInt8])
    private let clientPrefixes: (rate: [UInt8], permits: [UInt8], budget: [UInt8])

    init(id: FunctionID, limits f: SharedFunctionLimits, prefix: String, budgetCell: StoreBudgetCell? = nil) {
        self.id = id
        self.budgetCell = budgetCell
        self.name = f.name
        self.limits = f
        isUnlimited =
            f.clientRate == nil && f.functionRate == nil && f.limits.concurrency.perFunction == nil
            && f.limits.concurrency.perClient == nil && f.clientBudget == nil && f.functionBudget == nil
        func text(_ n: some BinaryInteger) -> [UInt8] { Array(String(n).utf8) }
        func us(_ ns: UInt64) -> UInt64 { (ns + 999) / 1000 }
        var rc: [[UInt8]] = []
        for rate in [f.clientRate, f.functionRate] {
            if let rate {
                let t = max(1, us(rate.emissionInterval))
                rc.append(text(t))
                rc.append(text(t * UInt64(rate.burst)))
            } else {
                rc.append(text(0))
                rc.append(text(0))
            }
        }
        let c = f.limits.concurrency
        rc.append(text(c.perFunction ?? 0))
        rc.append(text(c.perClient ?? 0))
        rc.append(text(c.fairShare ? 1 : 0))
        rc.append(text(c.fairShareFloor))
        rateAndConcurrency = rc
        permitTTL = text(max(1, f.permitTTLNanoseconds / 1000))
        var cb: [[UInt8]] = [
            text(f.timeoutNanoseconds / 1000), text(f.smoothing == nil ? 0 : 1), text(f.limits.memoryMB),
            Array(String(f.limits.pricing.dollarsPerRequest * 1e12).utf8),
            Array(String(f.limits.pricing.dollarsPerGBSecond * 1e12).utf8),
        ]
        for budget in [f.clientBudget, f.functionBudget] {
            if let b = budget {
                cb.append(b.maxPicodollars.map { text($0) } ?? text(-1))
                cb.append(b.maxMicroGBSeconds.map { text($0) } ?? text(-1))
                cb.append(text(b.windowNanoseconds / 1000))
                cb.append(text(b.buckets))
            } else {
                cb.append(contentsOf: [text(-1), text(-1), text(0), text(1)])
            }
        }
        cb.append(text(f.limits.shadow ? 1 : 0))
        cb.append(text(f.clientBudget?.degradeTo == nil ? 0 : 1))
        cb.append(text(f.functionBudget?.degradeTo == nil ? 0 : 1))
        costAndBudgets = cb
        // `{name}` is a Redis Cluster hash tag: all keys of one function map to one slot.
        let tag = "{\(f.name)}"
        func key(_ kind: String) -> [UInt8] { Array("\(prefix)\(kind):\(tag)".utf8) }
        functionKeys = (key("rf"), key("pf"), key("ac"), key("bf"), key("d"))
        clientPrefixes = (key("rc") + [58], key("pc") + [58], key("bc") + [58])
    }

    /// KEYS of the admit script.
    func admitKeys(_ client: [UInt8]) -> [[UInt8]] {
        [
            clientPrefixes.rate + client, functionKeys.rate, functionKeys.permits, clientPrefixes.permits + client,
            functionKeys.active, clientPrefixes.budget + client, functionKeys.budget, functionKeys.average,
        ]
    }

    /// KEYS of the settle script.
    func settleKeys(_ client: [UInt8]) -> [[UInt8]] {
        [
            functionKeys.permits, clientPrefixes.permits + client, functionKeys.active,
            clientPrefixes.budget + client, functionKeys.budget, functionKeys.average,
        ]
    }
}
