// Hot-path microbenchmarks: HTTP request-head parsing, the limiter's decision and the metrics update.
// Allocation counts (mallocCountTotal) per operation are stable on a noisy machine and are what CI
// checks (Benchmarks/Thresholds, Benchmarks/check-allocations.sh); times are printed for people.
import Benchmark
import TollgateHTTP
import TollgateLimiter
import TollgateMetrics

/// Metrics every benchmark reports; only mallocCountTotal is kept in the committed thresholds.
var reported: [BenchmarkMetric] { [.mallocCountTotal, .throughput, .wallClock] }

/// Allocation tolerance: the committed p90 plus 2 allocations or 5 %, whichever is larger.
var allocationThresholds: [BenchmarkMetric: BenchmarkThresholds] {
    [.mallocCountTotal: .init(relative: [.p90: 5.0], absolute: [.p90: 2])]
}

/// One operation per iteration, so mallocCountTotal reads as allocations per request.
func configuration() -> Benchmark.Configuration {
    .init(metrics: reported, maxDuration: .seconds(1), maxIterations: 200_000, thresholds: allocationThresholds)
}

/// A browser-like API GET head (as the benchmark's wrk mix sends it).
let getHead = Array(
    ("GET /api/search?q=wireless+headphones&category=audio&min_price=50&max_price=200 HTTP/1.1\r\n"
        + "Host: shop.example.com\r\n"
        + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36\r\n"
        + "Accept: application/json, text/plain, */*\r\n"
        + "Accept-Language: en-GB,en;q=0.9,de;q=0.8\r\n"
        + "Accept-Encoding: gzip, deflate, br\r\n"
        + "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJl\r\n"
        + "Cookie: session=3f9a7c1e5b; theme=dark; consent=analytics%3Dfalse\r\n"
        + "Referer: https://shop.example.com/products/1042\r\n"
        + "X-Client-Version: web-4.12.0\r\n\r\n").utf8)

/// An SDK's JSON POST head.
let postHead = Array(
    ("POST /api/orders HTTP/1.1\r\n"
        + "Host: shop.example.com\r\n"
        + "User-Agent: orders-sdk/2.3.1 (linux; node 20.11)\r\n"
        + "Accept: application/json\r\n"
        + "Content-Type: application/json\r\n"
        + "Content-Length: 1024\r\n"
        + "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJl\r\n"
        + "X-Request-Source: checkout\r\n\r\n").utf8)

// Built once (globals are initialised lazily, in the warm-up iteration), not per measured iteration.
let gcra = try? GCRALimit(ratePerSecond: 1_000_000, burst: 1_000_000)
let limiter = try? Limiter(
    configuration: LimitsConfiguration(
        defaults: FunctionLimits(perClientRate: RateSettings(ratePerSecond: 1e9, burst: 1_000_000_000))))
let limitedFunction = limiter?.function(named: "api") ?? Limiter.defaultFunction
let clientKey: [UInt8] = Array("203.0.113.7".utf8)
let clock = SystemClock()
let metrics: TollgateMetrics = {
    let metrics = TollgateMetrics(version: "bench")
    metrics.configureFunctions(["api"])
    return metrics
}()
let metricsFunction = metrics.function(named: "api")

let benchmarks: @Sendable () -> Void = {
    Benchmark("HTTP.parse.GET", configuration: configuration()) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(HTTPRequestHead.parse(getHead))
        }
    }

    Benchmark("HTTP.parse.POST", configuration: configuration()) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(HTTPRequestHead.parse(postHead))
        }
    }

    Benchmark("Limiter.GCRA.decide", configuration: configuration()) { benchmark in
        for _ in benchmark.scaledIterations {
            var tat: UInt64 = 0
            blackHole(gcra?.decide(tat: &tat, now: 1_000_000_000))
        }
    }

    Benchmark("Limiter.decide+complete", configuration: configuration()) { benchmark in
        guard let limiter else { return }
        for _ in benchmark.scaledIterations {
            let now = clock.nanoseconds()
            let decision = limiter.decide(function: limitedFunction, clientKey: clientKey, now: now)
            if let admission = decision.admission {
                blackHole(limiter.complete(admission, outcome: .success, upstreamNanoseconds: 500_000, now: now))
            }
        }
    }

    Benchmark("Metrics.recordRequest", configuration: configuration()) { benchmark in
        for _ in benchmark.scaledIterations {
            metrics.recordRequest(
                function: metricsFunction, action: .allowed, status: 200, upstreamSeconds: 0.0012,
                proxySeconds: 0.00004)
        }
    }
}
