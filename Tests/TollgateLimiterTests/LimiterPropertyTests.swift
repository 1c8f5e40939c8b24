import PropertyBased
import Testing

@testable import TollgateLimiter

@Suite struct LimiterPropertyTests {
    /// With worst-case reservations, what is actually charged in one window never exceeds the budget.
    @Test func settledSpendNeverExceedsTheBudget() async {
        await propertyCheck(
            count: 100, input: Gen.int(in: 1...3_000).array(of: 1...300), Gen.int(in: 1...50)
        ) { durationsMs, budgetMicrodollars in
            let maxDollars = Double(budgetMicrodollars) * 1e-6
            let config = LimitsConfiguration(
                defaults: FunctionLimits(
                    perClientBudget: BudgetSettings(maxDollars: maxDollars, windowSeconds: 3600),
                    perFunctionBudget: BudgetSettings(maxDollars: maxDollars * 2, windowSeconds: 3600),
                    memoryMB: 512, timeoutSeconds: 3, reservation: .timeout))
            guard let l = try? Limiter(configuration: config) else {
                Issue.record("valid configuration refused")
                return
            }
            let f = l.function(named: "fn")
            var now: UInt64 = 10 * sec
            var spentPico: UInt64 = 0
            for d in durationsMs {
                if case .allow(let a) = l.decide(function: f, clientKey: Array("c".utf8), now: now) {
                    now += UInt64(d) * ms
                    if case .released(let charged) = l.complete(
                        a, outcome: .success, upstreamNanoseconds: UInt64(d) * ms, now: now)
                    {
                        spentPico += charged.picodollars
                    }
                } else {
                    now += ms
                }
            }
            #expect(Double(spentPico) / 1e12 <= maxDollars + 1e-12)
        }
    }

    /// Whatever the interleaving of acquisitions and releases, in-flight counts never exceed the caps
    /// and return to zero.
    @Test func inFlightNeverExceedsTheCaps() async {
        await propertyCheck(
            count: 100, input: Gen.int(in: 0...9).array(of: 1...400), Gen.int(in: 1...12), Gen.int(in: 1...4)
        ) { ops, functionCap, clientCap in
            let config = LimitsConfiguration(
                defaults: FunctionLimits(
                    concurrency: ConcurrencySettings(perFunction: functionCap, perClient: clientCap)))
            guard let l = try? Limiter(configuration: config) else { return }
            let f = l.function(named: "fn")
            var held: [(client: Int, admission: Admission)] = []
            for op in ops {
                if op < 6 {
                    let client = op % 3
                    if let a = l.decide(function: f, clientKey: [UInt8(client)], now: sec).admission {
                        held.append((client, a))
                    }
                } else if !held.isEmpty {
                    let (_, a) = held.remove(at: op % held.count)
                    _ = l.complete(a, outcome: CompletionOutcome.allCases[op % 5], now: sec)
                }
                #expect(held.count <= functionCap)
                for c in 0..<3 { #expect(held.filter { $0.client == c }.count <= clientCap) }
                #expect(l.stats().functionInFlight["*"] == held.count)
            }
            for (_, a) in held { _ = l.complete(a, outcome: .success, now: sec) }
            let s = l.stats()
            #expect(s.functionInFlight["*"] == 0 && s.clientInFlight == 0 && s.activeClients["*"] == 0)
        }
    }
}

@Suite struct IdentityPropertyTests {
    static let hopAlphabet = Array("0123456789abcdefABCDEF:.[]\"; ,=_-forunknwFORxX\t%")

    /// Arbitrary forwarding headers never trap, and an untrusted peer is always the key.
    @Test func forwardedNeverTrapsAndIgnoresHeadersFromUntrustedPeers() async throws {
        let id = try ClientIdentity(spec: "forwarded", trustedProxies: ["10.0.0.0/8", "::1"])
        await propertyCheck(
            count: 500,
            input: Gen<Character?>.element(of: IdentityPropertyTests.hopAlphabet).map { $0 ?? "x" }.string(of: 0...60),
            Gen<Character?>.element(of: IdentityPropertyTests.hopAlphabet).map { $0 ?? "x" }.string(of: 0...60),
            Gen.bool()
        ) { xff, forwarded, trustedPeer in
            let peer = IPAddress(v4: trustedPeer ? 0x0A00_0001 : 0xCB00_7105)
            let key = id.key(peer: peer, headers: [("X-Forwarded-For", xff), ("Forwarded", forwarded)])
            #expect(key.text.hasPrefix("ip:"))
            if !trustedPeer { #expect(key.text == "ip:203.0.113.5") }
        }
    }

    /// Printing an address and parsing it back gives the same address.
    @Test func addressTextRoundTrips() async {
        await propertyCheck(
            count: 1_000,
            input: Gen.uint64(in: 0...UInt64.max), Gen.uint64(in: 0...UInt64.max), Gen.int(in: 0...3)
        ) { high, low, shape in
            // Mix in zero runs and IPv4-mapped addresses.
            let h = shape == 1 ? high & 0xFFFF_0000_0000_FFFF : (shape == 2 ? 0 : high)
            let l = shape == 2 ? (0xFFFF_0000_0000 | (low & 0xFFFF_FFFF)) : (shape == 3 ? low & 0xFFFF : low)
            let address = IPAddress(high: h, low: l)
            #expect(IPAddress(address.description) == address)
        }
    }

    /// Random token payloads never trap the JWT reader.
    @Test func jwtReaderNeverTraps() async {
        let alphabet = Array("{}[]\":,\\ubtrufalsen0123456789.-eE sub\t")
        await propertyCheck(
            count: 1_000, input: Gen<Character?>.element(of: alphabet).map { $0 ?? "x" }.string(of: 0...80)
        ) { json in
            let token = "Bearer x." + IdentityTests.base64url(Array(json.utf8)) + ".y"
            _ = JWTClaim.fromAuthorization(token, claim: "sub")
        }
    }
}
