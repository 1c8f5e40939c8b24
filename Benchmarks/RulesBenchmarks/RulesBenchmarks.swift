// Rule evaluation per request with OWASP CRS v4 at paranoia level 1 loaded (blocking), for the same
// mixes as the wrk benchmark: a benign GET, a benign 1 KiB JSON POST and attacks. Each iteration runs
// one request through phases 1, 2 and 5, as the proxy does. Allocations per request (mallocCountTotal)
// are checked against Benchmarks/Thresholds; evaluations per second are reported as throughput.
//
// The CRS directory: $TOLLGATE_CRS or $CRS_PATH, else ../shared/crs (or ../../shared/crs) beside the package.
import Benchmark
import Foundation
import Synchronization
import TollgateRules

/// Our stand-in for crs-setup.conf: blocking anomaly scoring at PL1, JSON bodies parsed as JSON.
let setup = """
    SecRuleEngine On
    SecRequestBodyAccess On
    SecRule REQUEST_HEADERS:Content-Type "@rx ^application/json" \\
        "id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"
    SecDefaultAction "phase:1,log,auditlog,pass"
    SecDefaultAction "phase:2,log,auditlog,pass"
    SecAction "id:900000,phase:1,pass,t:none,nolog,setvar:tx.blocking_paranoia_level=1"
    SecAction "id:900990,phase:1,pass,t:none,nolog,setvar:tx.crs_setup_version=4280"
    """

func crsDirectory() -> String? {
    let environment = ProcessInfo.processInfo.environment
    if let path = environment["TOLLGATE_CRS"] ?? environment["CRS_PATH"] { return path }
    var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()  // Benchmarks/RulesBenchmarks
    for _ in 0..<4 {
        dir = dir.deletingLastPathComponent()
        let path = dir.appendingPathComponent("shared/crs").path
        if FileManager.default.fileExists(atPath: path + "/rules") { return path }
    }
    return nil
}

/// The engine with CRS PL1, built once (lazily, in the warm-up iteration), or why it could not be.
let loaded: Result<Engine, LoadProblem> = {
    guard let crs = crsDirectory() else { return .failure(LoadProblem("CRS not found; set TOLLGATE_CRS")) }
    let files = ((try? FileManager.default.contentsOfDirectory(atPath: crs + "/rules")) ?? [])
        .filter { $0.hasSuffix(".conf") }.sorted().map { crs + "/rules/" + $0 }
    guard !files.isEmpty else { return .failure(LoadProblem("no rules/*.conf in \(crs)")) }
    do {
        var loader = RuleSetLoader()
        try loader.load(text: setup, file: "<benchmark setup>")
        try loader.load(files: files)
        let engine = Engine(ruleSet: try loader.build(), mode: .block)
        // Sanity: the benign samples must pass and every attack must be blocked, or the numbers mean little.
        let benignBlocked = [benignGet, benignPost].filter { evaluate(engine, $0) }.count
        let attacksBlocked = attacks.filter { evaluate(engine, $0) }.count
        guard benignBlocked == 0, attacksBlocked == attacks.count else {
            return .failure(
                LoadProblem(
                    "sanity check failed: benign blocked \(benignBlocked)/2 (want 0), attacks blocked "
                        + "\(attacksBlocked)/\(attacks.count) (want all)"))
        }
        return .success(engine)
    } catch {
        return .failure(LoadProblem("loading CRS failed: \(error)"))
    }
}()

struct LoadProblem: Error {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The engine, or nil after reporting the problem as the benchmark's error (which fails the run).
func engine(for benchmark: Benchmark) -> Engine? {
    switch loaded {
    case .success(let engine): return engine
    case .failure(let problem):
        benchmark.error("RulesBenchmarks: \(problem.description)")
        return nil
    }
}

let browserHeaders: [HeaderField] = [
    HeaderField("Host", "shop.example.com"),
    HeaderField(
        "User-Agent",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"),
    HeaderField("Accept", "application/json, text/plain, */*"),
    HeaderField("Accept-Language", "en-GB,en;q=0.9,de;q=0.8"),
    HeaderField("Accept-Encoding", "gzip, deflate, br"),
    HeaderField("Authorization", "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJl"),
    HeaderField("Cookie", "session=3f9a7c1e5b; theme=dark; consent=analytics%3Dfalse"),
    HeaderField("Referer", "https://shop.example.com/products/1042"),
]

/// A benign order of exactly `size` bytes (the wrk mix's shape: fixed fields, order lines, padding).
func orderBody(size: Int) -> [UInt8] {
    var text =
        #"{"order_id":"7f3c2a9e-1b4d-4c1e-9a8f-0d2b6c5e4a11","customer":{"id":"user-42","name":"Siobhan Oneill","#
        + #""email":"siobhan.oneill@example.com"},"currency":"GBP","items":["#
    var n = 0
    while text.utf8.count + 140 < size && n < 10_000 {
        text += (n > 0 ? "," : "") + #"{"sku":"HP-\#(1000 + n)","name":"Wireless headphones model \#(n + 1)","qty":1}"#
        n += 1
    }
    text += #"],"pad":""#
    text += String(repeating: "x", count: max(0, size - text.utf8.count - 2)) + #""}"#
    return Array(text.utf8)
}

struct Sample: Sendable {
    let request: RequestInput
    let body: [UInt8]
}

let benignGet = Sample(
    request: RequestInput(
        method: "GET", target: "/api/search?q=wireless+headphones&category=audio&min_price=50&max_price=200",
        headers: browserHeaders),
    body: [])

let benignPost = Sample(
    request: RequestInput(
        method: "POST", target: "/api/orders",
        headers: browserHeaders + [
            HeaderField("Content-Type", "application/json"), HeaderField("Content-Length", "1024"),
        ]),
    body: orderBody(size: 1024))

let attacks: [Sample] = [
    "/api/search?q=1%27%20OR%20%271%27%3D%271%27%20--%20",
    "/api/search?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E",
    "/api/files?path=..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/api/ping?host=127.0.0.1%3Bcat%20%2Fetc%2Fpasswd",
].map { Sample(request: RequestInput(method: "GET", target: $0, headers: browserHeaders), body: []) }

/// Phases 1, 2 and 5 of one request; returns whether it was blocked.
@inline(__always)
func evaluate(_ engine: Engine, _ sample: Sample) -> Bool {
    let transaction = engine.transaction(for: sample.request)
    var verdict = transaction.processRequestHeaders()
    if !verdict.isDisruptive { verdict = transaction.processRequestBody(sample.body) }
    blackHole(transaction.processLogging())
    return verdict.isDisruptive
}

/// Cycles through the attacks across iterations.
let attackIndex = Atomic<Int>(0)

/// Allocation tolerance: the committed p90 plus 20 allocations or 5 %, whichever is larger.
var configuration: Benchmark.Configuration {
    .init(
        metrics: [.mallocCountTotal, .throughput, .wallClock], maxDuration: .seconds(2), maxIterations: 20_000,
        thresholds: [.mallocCountTotal: .init(relative: [.p90: 5.0], absolute: [.p90: 20])])
}

let benchmarks: @Sendable () -> Void = {
    Benchmark("CRS-PL1.benign-GET", configuration: configuration) { benchmark in
        guard let engine = engine(for: benchmark) else { return }
        for _ in benchmark.scaledIterations { blackHole(evaluate(engine, benignGet)) }
    }

    Benchmark("CRS-PL1.benign-POST-1KiB", configuration: configuration) { benchmark in
        guard let engine = engine(for: benchmark) else { return }
        for _ in benchmark.scaledIterations { blackHole(evaluate(engine, benignPost)) }
    }

    Benchmark("CRS-PL1.attack", configuration: configuration) { benchmark in
        guard let engine = engine(for: benchmark) else { return }
        for _ in benchmark.scaledIterations {
            let i = attackIndex.wrappingAdd(1, ordering: .relaxed).oldValue
            blackHole(evaluate(engine, attacks[i % attacks.count]))
        }
    }
}
