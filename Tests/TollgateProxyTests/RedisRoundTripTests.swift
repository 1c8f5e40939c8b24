import Dispatch
import Foundation
import Testing
import TollgateLimiter

@testable import TollgateProxy

/// Round-trip figures of the Redis store (reported in docs/redis.md); bounded in count, loose bounds.
@Suite(
    "Redis store round trips", .serialized,
    .enabled(if: redisServerAvailable, "redis-server not installed at /usr/bin/redis-server"))
struct RedisRoundTripTests {
    @Test("admission latency one at a time, and throughput with admissions pipelined")
    func roundTrips() async throws {
        let server = try RedisServerProcess()
        defer { server.kill() }
        var defaults = FunctionLimits()
        defaults.perClientRate = RateSettings(ratePerSecond: 1e6, burst: 1_000_000)
        defaults.perFunctionRate = RateSettings(ratePerSecond: 1e6, burst: 1_000_000)
        defaults.concurrency = ConcurrencySettings(perFunction: 60_000)
        defaults.perClientBudget = BudgetSettings(maxDollars: 1_000, windowSeconds: 60)
        let instance = try RedisTestInstance(
            limits: TollgateLimiter.LimitsConfiguration(defaults: defaults), port: server.port,
            clock: ManualStoreClock(), timeoutMilliseconds: 1000)
        defer { instance.stop() }
        #expect(await instance.waitReady())
        let backend = instance.backend
        // One at a time (each waits for the previous reply), measured on the loop queue.
        let sequential = await onQueue(instance.loop.queue, timeout: 30) { (done: @escaping ([UInt64]) -> Void) in
            var samples: [UInt64] = []
            func next() {
                let started = DispatchTime.now().uptimeNanoseconds
                backend.admit(function: "fn", clientKey: Array("c\(samples.count % 100)".utf8), now: 1) { _ in
                    samples.append(DispatchTime.now().uptimeNanoseconds - started)
                    if samples.count == 2000 { done(samples) } else { next() }
                }
            }
            next()
        }
        let sorted = try #require(sequential).sorted()
        let p50 = Double(sorted[sorted.count / 2]) / 1000
        let p99 = Double(sorted[sorted.count * 99 / 100]) / 1000
        // Pipelined: 5000 admissions issued at once.
        let pipelined = await onQueue(instance.loop.queue, timeout: 30) { (done: @escaping (UInt64) -> Void) in
            let started = DispatchTime.now().uptimeNanoseconds
            var finished = 0
            for i in 0..<5000 {
                backend.admit(function: "fn", clientKey: Array("p\(i % 100)".utf8), now: 1) { _ in
                    finished += 1
                    if finished == 5000 { done(DispatchTime.now().uptimeNanoseconds - started) }
                }
            }
        }
        let total = try #require(pipelined)
        let perSecond = 5000 / (Double(total) / 1e9)
        print("redis admit round trip: p50 \(p50) µs, p99 \(p99) µs; pipelined \(Int(perSecond)) admissions/s")
        // Server-side cost of the admit script (Redis runs scripts on its single thread).
        let inspector = try ClientUnderTest(port: server.port)
        defer { inspector.stop() }
        #expect(await inspector.waitReady())
        if case .success(let info)? = await inspector.send(["INFO", "commandstats"]), let bytes = info.stringBytes {
            let line = String(decoding: bytes, as: UTF8.self).split(separator: "\r\n").first {
                $0.hasPrefix("cmdstat_evalsha:")
            }
            print("redis server side: \(line ?? "?")")
        }
        // Per-client memory in Redis: TAT string, permit ZSET (here with ~70 permits), budget hash.
        var perClient: [String] = []
        for key in ["t:rc:{*}:c1", "t:pc:{*}:c1", "t:bc:{*}:c1"] {
            if case .success(.integer(let bytes))? = await inspector.send(["MEMORY", "USAGE", key]) {
                perClient.append("\(key) \(bytes) B")
            }
        }
        print("redis memory per client: \(perClient.joined(separator: ", "))")
        #expect(perClient.count == 3)
        #expect(backend.counters.storeDecisions.load(ordering: .relaxed) == 7000)
        #expect(p50 < 50_000)  // sanity only: shared CI machines are noisy
    }
}
