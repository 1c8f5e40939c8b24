import Testing
import TollgateConfig
import TollgateLimiter

@testable import TollgateProxy

@Suite("LimiterFactory: limits section to the pure limiter")
struct LimitFactoryTests {
    static let upstream = UpstreamAddress(host: "127.0.0.1", port: 9000)
    static let functions = [
        FunctionConfiguration(
            name: "thumbnail", route: "/thumb", upstream: upstream, timeoutMilliseconds: 2500, memoryMB: 1024),
        FunctionConfiguration(name: "cheap", route: "/cheap", upstream: upstream),
        FunctionConfiguration(name: "quiet", route: "/quiet", upstream: upstream),
    ]

    static var section: TollgateConfig.LimitsConfiguration {
        TollgateConfig.LimitsConfiguration(
            mode: .enforce, store: .redis(host: "127.0.0.1", port: 6390, database: 2), storeFailure: .closed,
            storeTimeoutMilliseconds: 20, clientKey: [.header("x-api-key")], trustedProxies: ["10.0.0.0/8"],
            maxKeys: 5000, costEstimate: .timeout,
            perClient: LimitSet(ratePerSecond: 2.5, maxConcurrent: 3, budget: Budget(windowSeconds: 60, usd: 0.01)),
            perFunction: LimitSet(ratePerSecond: 100, burst: 20, maxConcurrent: 10),
            pricing: Pricing(perRequestUSD: 0.000001, perGBSecondUSD: 0.00002),
            functionOverrides: [
                "cheap": FunctionLimitsOverride(
                    clientKey: [.ip, .jwtClaim("sub")], perClient: LimitSet(ratePerSecond: 50),
                    pricing: Pricing(perRequestUSD: 0, perGBSecondUSD: 0.00001)),
                "quiet": FunctionLimitsOverride(mode: .off),
            ])
    }

    @Test("section values map to the limiter's, per function with memory and timeout")
    func mapsSection() throws {
        let setup = try LimiterFactory.make(Self.section, functions: Self.functions)
        let thumb = try #require(setup.limits.functions["thumbnail"])
        #expect(thumb.perClientRate == RateSettings(ratePerSecond: 2.5, burst: 3))  // burst defaults to ceil(rate)
        #expect(thumb.perFunctionRate == RateSettings(ratePerSecond: 100, burst: 20))
        #expect(thumb.concurrency.perFunction == 10)
        #expect(thumb.concurrency.perClient == 3)
        #expect(thumb.concurrency.fairShare)
        #expect(thumb.perClientBudget == BudgetSettings(maxDollars: 0.01, maxGBSeconds: nil, windowSeconds: 60))
        #expect(thumb.perFunctionBudget == nil)
        #expect(thumb.memoryMB == 1024)
        #expect(thumb.timeoutSeconds == 2.5)
        #expect(thumb.reservation == .timeout)
        #expect(thumb.pricing == TollgateLimiter.Pricing(dollarsPerRequest: 0.000001, dollarsPerGBSecond: 0.00002))
        #expect(!thumb.shadow)
        #expect(setup.limits.maxKeys == 5000)
        #expect(setup.storeFailure == .closed)
        #expect(setup.storeTimeoutMilliseconds == 20)
        let redis = try #require(setup.redisSettings())
        #expect(redis.client.host == "127.0.0.1" && redis.client.port == 6390 && redis.client.database == 2)
        #expect(redis.client.commandTimeoutMilliseconds == 20)
        #expect(redis.keyPrefix == "tollgate:")
        #expect(redis.failureMode == .closed)
        _ = try setup.makeLimiter()
    }

    @Test("overrides replace fields one by one; mode off removes the limits")
    func overrides() throws {
        let setup = try LimiterFactory.make(Self.section, functions: Self.functions)
        let cheap = try #require(setup.limits.functions["cheap"])
        #expect(cheap.perClientRate == RateSettings(ratePerSecond: 50, burst: 50))
        #expect(cheap.concurrency.perClient == 3)  // inherited field of per_client
        #expect(cheap.perClientBudget?.maxDollars == 0.01)
        #expect(cheap.pricing.dollarsPerRequest == 0)
        #expect(cheap.memoryMB == 128)
        let quiet = try #require(setup.limits.functions["quiet"])
        #expect(quiet.perClientRate == nil && quiet.perFunctionRate == nil && quiet.perClientBudget == nil)
        #expect(quiet.concurrency == .unlimited)
        #expect(setup.disabledFunctions == ["quiet"])
        #expect(!setup.isDisabled)
    }

    @Test("client keys: the section's identity, or the function's combined one")
    func identities() throws {
        let setup = try LimiterFactory.make(Self.section, functions: Self.functions)
        let peer = try #require(IPAddress("192.0.2.7"))
        let headers = [("X-Api-Key", "k1"), ("Authorization", "Bearer x")]
        #expect(setup.identity(for: "thumbnail").key(peer: peer, headers: headers).text == "header:x-api-key=k1")
        #expect(setup.identity(for: "unknown").key(peer: peer, headers: headers).text == "header:x-api-key=k1")
        // cheap: ip + jwt:sub combined; without a token the whole combination is missing: the peer is used.
        let cheap = setup.identity(for: "cheap")
        #expect(cheap.spec.alternatives == [[.ip, .jwt(claim: "sub")]])
        #expect(cheap.key(peer: peer, headers: []).text == "ip:192.0.2.7")
    }

    @Test("shadow mode and the local store")
    func shadowAndLocal() throws {
        var section = Self.section
        section.mode = .shadow
        section.store = .local
        let setup = try LimiterFactory.make(section, functions: Self.functions)
        #expect(setup.limits.functions["thumbnail"]?.shadow == true)
        #expect(setup.limits.defaults.shadow)
        #expect(setup.redisSettings() == nil)
    }

    @Test("an invalid trusted proxy is an error with a stable code")
    func invalidTrustedProxy() {
        var section = Self.section
        section.trustedProxies = ["not-a-cidr"]
        #expect(throws: LimiterSetupError(code: .invalidClientKey, function: "*", message: "")) {
            _ = try LimiterFactory.make(section, functions: Self.functions)
        }
    }

    @Test("local backend: decisions are synchronous and tickets settle locally")
    func localBackend() throws {
        let setup = try LimiterFactory.make(Self.section, functions: Self.functions)
        let backend = LocalLimitBackend(limiter: try setup.makeLimiter())
        var verdicts: [LimitVerdict] = []
        for _ in 0..<4 {
            backend.admit(function: "thumbnail", clientKey: Array("c".utf8), now: 1_000_000_000) { verdicts.append($0) }
        }
        #expect(verdicts.count == 4)  // called synchronously
        #expect(verdicts.prefix(3).allSatisfy { $0.ticket != nil })
        #expect(verdicts[3].rejection?.kind == .clientRate)
        for v in verdicts {
            if let t = v.ticket { backend.complete(t, outcome: .success, upstreamNanoseconds: 1, now: 2) }
        }
        #expect(backend.limiter.stats().outstandingPermits == 0)
    }
}
