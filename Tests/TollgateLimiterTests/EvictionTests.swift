import Testing

@testable import TollgateLimiter

@Suite struct EvictionTests {
    func limiter(maxKeys: Int, concurrency: ConcurrencySettings = .unlimited) throws -> Limiter {
        try Limiter(
            configuration: LimitsConfiguration(
                defaults: FunctionLimits(
                    perClientRate: RateSettings(ratePerSecond: 1, burst: 1), concurrency: concurrency),
                maxKeys: maxKeys))
    }

    /// A million-key rotation cannot grow the table, and the active abuser keeps its (exhausted) state.
    @Test func tableNeverExceedsMaxKeysAndActiveAbuserStays() throws {
        let clock = ManualClock()
        let l = try limiter(maxKeys: 100)
        let f = l.function(named: "fn")
        #expect(l.decide(f, "abuser", clock).isAllowed)
        for i in 0..<20_000 {
            l.decideAndComplete(f, "rotating-\(i)", clock)
            if i % 10 == 0 {
                // The abuser keeps hammering and keeps being refused: eviction never resets it.
                #expect(l.decide(f, "abuser", clock).rejection?.kind == .clientRate)
                #expect(l.stats().keys <= 100)
            }
            clock.advance(by: 10_000)  // 10 µs: the abuser never gets back under its 1/s rate
        }
        let s = l.stats()
        #expect(s.keys == 100)
        #expect(s.evictions == 20_000 + 1 - 100)
        #expect(l.contains(function: f, clientKey: Array("abuser".utf8)))
    }

    @Test func idleKeysAreEvictedBeforeBusyLeastRecentlyUsedOnes() throws {
        let clock = ManualClock()
        let l = try limiter(maxKeys: 3)
        let f = l.function(named: "fn")
        // "holder" is the least recently used but holds an in-flight permit: not idle.
        let held = try #require(l.decide(f, "holder", clock).admission)
        clock.advance(seconds: 0.5)
        l.decideAndComplete(f, "idle-soon", clock)
        clock.advance(seconds: 1)  // idle-soon's TAT is now in the past: equivalent to fresh
        l.decideAndComplete(f, "recent", clock)  // recent is not idle (TAT in the future)
        l.decideAndComplete(f, "newcomer", clock)
        #expect(l.contains(function: f, clientKey: Array("holder".utf8)))
        #expect(!l.contains(function: f, clientKey: Array("idle-soon".utf8)))
        #expect(l.contains(function: f, clientKey: Array("recent".utf8)))
        #expect(l.stats().idleEvictions == 1)
        _ = l.complete(held, outcome: .success, now: clock.nanoseconds())
        #expect(l.stats().clientInFlight == 0)
    }

    @Test func evictingABusyKeyGivesItAtMostOneFreshBurst() throws {
        let clock = ManualClock()
        let l = try limiter(maxKeys: 2)
        let f = l.function(named: "fn")
        l.decideAndComplete(f, "victim", clock)
        #expect(!l.decide(f, "victim", clock).isAllowed)
        l.decideAndComplete(f, "a", clock)
        l.decideAndComplete(f, "b", clock)  // no key is idle: the LRU ("victim") is evicted
        #expect(!l.contains(function: f, clientKey: Array("victim".utf8)))
        // Back with a fresh key: one burst (1 request), then limited again.
        #expect(l.decide(f, "victim", clock).isAllowed)
        #expect(!l.decide(f, "victim", clock).isAllowed)
    }

    @Test func evictingAnInFlightKeyKeepsFunctionCountsConsistent() throws {
        let clock = ManualClock()
        let l = try limiter(maxKeys: 2, concurrency: ConcurrencySettings(perFunction: 10))
        let f = l.function(named: "fn")
        let a = try #require(l.decide(f, "a", clock).admission)
        let b = try #require(l.decide(f, "b", clock).admission)
        let c = try #require(l.decide(f, "c", clock).admission)  // evicts "a" while it is in flight
        #expect(l.stats().activeClients["*"] == 2)
        for p in [a, b, c] { #expect(l.complete(p, outcome: .success, now: clock.nanoseconds()) != .alreadyReleased) }
        let s = l.stats()
        #expect(s.functionInFlight["*"] == 0 && s.clientInFlight == 0 && s.activeClients["*"] == 0)
    }

    @Test func sweepDropsOnlyIdleKeys() throws {
        let clock = ManualClock()
        let l = try limiter(maxKeys: 100)
        let f = l.function(named: "fn")
        for i in 0..<10 { l.decideAndComplete(f, "k\(i)", clock) }
        clock.advance(seconds: 2)
        for i in 10..<15 { l.decideAndComplete(f, "k\(i)", clock) }
        #expect(l.sweepIdle(now: clock.nanoseconds()) == 10)
        #expect(l.stats().keys == 5)
    }

    /// Per-key memory: bytes the table reserves per key (array capacities), and the heap growth seen by
    /// malloc. The figures go to docs/limiter.md.
    @Test(.serialized, arguments: [(false, 1_000_000), (true, 1_000_000)])
    func perKeyMemoryIsSmall(withClientBudget: Bool, n: Int) throws {
        var limits = FunctionLimits(perClientRate: RateSettings(ratePerSecond: 10, burst: 10))
        if withClientBudget { limits.perClientBudget = BudgetSettings(maxDollars: 1, windowSeconds: 3600) }
        let before = MemoryProbe.residentBytes()
        let l = try Limiter(configuration: LimitsConfiguration(defaults: limits, maxKeys: n))
        let f = l.function(named: "fn")
        var key: [UInt8] = Array("client-00000000".utf8)
        let now: UInt64 = 10 * sec
        for i in 0..<n {
            var v = i
            for j in stride(from: key.count - 1, through: 7, by: -1) {
                key[j] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
            if case .allow(let a) = l.decide(function: f, clientKey: key, now: now) {
                _ = l.complete(a, outcome: .notForwarded, now: now)
            }
        }
        let after = MemoryProbe.residentBytes()
        // A full table keeps working: new keys evict old ones (in place; no table copies).
        for i in 0..<2_000 {
            if case .allow(let a) = l.decide(function: f, clientKey: Array("late-\(i)".utf8), now: now + sec) {
                _ = l.complete(a, outcome: .notForwarded, now: now + sec)
            }
        }
        #expect(l.stats().keys == n)
        #expect(l.stats().evictions == 2_000)
        let report = l.memoryReport()
        #expect(report.keys == n)
        let heapPerKey = Double(after &- before) / Double(n)
        print(
            "limiter memory (client budget: \(withClientBudget)): entry \(report.entryBytes) B,"
                + " table \(report.bytesPerKey) B/key, RSS growth \(heapPerKey) B/key,"
                + " 1M keys ≈ \(report.bytesPerKey * 1_000_000 / 1_048_576) MiB")
        // 1,000,000 keys within 100 MiB means at most ~104 bytes per key.
        #expect(report.bytesPerKey <= 104)
        // RSS is shared with tests running in parallel: only a loose sanity bound.
        #expect(heapPerKey <= 208)
    }
}
