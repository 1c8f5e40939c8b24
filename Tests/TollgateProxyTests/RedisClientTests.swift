import Dispatch
import Foundation
import Logging
import Synchronization
import Testing

@testable import TollgateProxy

/// A RedisClient on its own loop, for the tests.
struct ClientUnderTest: @unchecked Sendable {
    let loop: RedisEventLoop
    let client: RedisClient

    init(port: Int, timeoutMilliseconds: Int = 2000, scripts: [RedisScript] = []) throws {
        loop = try RedisEventLoop()
        var logger = Logger(label: "redis-client-test")
        logger.logLevel = .critical
        client = RedisClient(
            host: loop,
            settings: RedisClientSettings(
                host: "127.0.0.1", port: port, commandTimeoutMilliseconds: timeoutMilliseconds,
                connectTimeoutMilliseconds: 2000, backoffInitialMilliseconds: 10, backoffMaxMilliseconds: 100),
            scripts: scripts, logger: logger)
        let client = self.client
        loop.queue.sync { client.start() }
    }

    func waitReady() async -> Bool {
        let client = self.client
        return await eventually(loop.queue) { client.state == .ready }
    }

    func send(_ words: [String], timeout: Double = 5) async -> Result<RESPValue, RedisError>? {
        let client = self.client
        return await onQueue(loop.queue, timeout: timeout) { done in
            client.send(words.map { Array($0.utf8) }, completion: done)
        }
    }

    func stop() {
        let client = self.client
        let loop = self.loop
        loop.queue.sync {
            client.close()
            loop.shutdown()
        }
    }
}

@Suite(
    "Redis client over loopback", .serialized,
    .enabled(if: redisServerAvailable, "redis-server not installed at /usr/bin/redis-server"))
struct RedisClientTests {
    @Test("many pipelined commands in flight are answered in order")
    func pipelining() async throws {
        let server = try RedisServerProcess()
        defer { server.kill() }
        let c = try ClientUnderTest(port: server.port)
        defer { c.stop() }
        #expect(await c.waitReady())
        let count = 2000
        let client = c.client
        let replies = await onQueue(c.loop.queue, timeout: 10) { (done: @escaping ([Int64]) -> Void) in
            var got: [Int64] = []
            var maxInFlight = 0
            for _ in 0..<count {
                client.send([Array("INCR".utf8), Array("counter".utf8)]) { result in
                    if case .success(.integer(let v)) = result { got.append(v) } else { got.append(-1) }
                    if got.count == count { done(got + [Int64(maxInFlight)]) }
                }
                maxInFlight = max(maxInFlight, client.inFlight)
            }
        }
        let values = try #require(replies)
        #expect(Array(values.prefix(count)) == (1...Int64(count)).map { $0 })
        #expect((values.last ?? 0) > 100, "commands were really in flight together")
        // Values with CR LF and empty values survive a round trip.
        _ = await c.send(["SET", "k", "a\r\nb"])
        #expect((try? #require(await c.send(["GET", "k"])).get()) == .bulkString(Array("a\r\nb".utf8)))
        #expect((try? #require(await c.send(["GET", "missing"])).get()) == .bulkString(nil))
        #expect((try? #require(await c.send(["NOSUCHCOMMAND"])).get())?.errorText?.hasPrefix("ERR") == true)
    }

    @Test("a frozen server times commands out; every callback runs once; the client reconnects")
    func timeoutAndReconnect() async throws {
        let server = try RedisServerProcess()
        defer { server.kill() }
        let c = try ClientUnderTest(port: server.port, timeoutMilliseconds: 50)
        defer { c.stop() }
        #expect(await c.waitReady())
        server.pause(true)
        let once = Once<[RedisError.Code]>()
        let client = c.client
        let elapsed = Mutex<UInt64>(0)
        let result = await once.wait(queue: c.loop.queue, timeout: 5) { once in
            var codes: [RedisError.Code] = []
            let started = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<10 {
                client.send([Array("PING".utf8)]) { result in
                    if case .failure(let e) = result { codes.append(e.code) } else { codes.append(.server) }
                    if codes.count == 10 {
                        elapsed.withLock { $0 = DispatchTime.now().uptimeNanoseconds - started }
                        once.deliver(codes)
                    }
                }
            }
        }
        let seconds = Double(elapsed.withLock { $0 }) / 1e9
        #expect(result == Array(repeating: .timeout, count: 10))
        #expect(seconds < 0.5, "timed out after \(seconds) s (measured on the loop)")
        #expect(once.calls == 1)
        // Not connected now: new commands fail at once instead of waiting.
        let immediate = await c.send(["PING"])
        if case .failure(let e) = immediate { #expect(e.code == .notConnected || e.code == .timeout) }
        server.pause(false)
        #expect(await c.waitReady())
        #expect((try? #require(await c.send(["PING"])).get()) == .simpleString(Array("PONG".utf8)))
    }

    @Test("a killed server fails commands in flight; a restarted one on the same port is reconnected")
    func killAndRestart() async throws {
        let server = try RedisServerProcess()
        defer { server.kill() }
        let c = try ClientUnderTest(port: server.port)
        defer { c.stop() }
        #expect(await c.waitReady())
        server.kill()
        let failed = await c.send(["PING"])
        guard case .failure = failed else {
            Issue.record("PING to a killed server: \(String(describing: failed))")
            return
        }
        #expect(await eventually(c.loop.queue, timeout: 2) { c.client.state != .ready })
        try server.start()
        #expect(await c.waitReady())
        #expect((try? #require(await c.send(["PING"])).get()) == .simpleString(Array("PONG".utf8)))
    }

    @Test("scripts are loaded at connect; EVALSHA falls back to EVAL after SCRIPT FLUSH")
    func scriptFallback() async throws {
        let server = try RedisServerProcess()
        defer { server.kill() }
        let script = RedisScript(name: "add", source: "return tonumber(ARGV[1]) + 1")
        let c = try ClientUnderTest(port: server.port, scripts: [script])
        defer { c.stop() }
        #expect(await c.waitReady())
        let client = c.client
        #expect(c.loop.queue.sync { client.shas[0]?.count } == 40)
        func run() async -> Result<RESPValue, RedisError>? {
            await onQueue(c.loop.queue) { done in
                client.evalScript(0, keys: [], arguments: [Array("41".utf8)], completion: done)
            }
        }
        #expect((try? #require(await run()).get()) == .integer(42))
        _ = await c.send(["SCRIPT", "FLUSH"])
        #expect((try? #require(await run()).get()) == .integer(42))
    }
}
