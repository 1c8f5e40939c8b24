// Quick engine-alone throughput check: CRS PL1, benign GET and benign 1 KiB JSON POST.
// Build and run with ./run.sh (links against the release build of TollgateRules).
import Foundation
import TollgateRules

let crs = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "../shared/crs"
let seconds = CommandLine.arguments.count > 2 ? Double(CommandLine.arguments[2]) ?? 3 : 3

let setup = """
    SecRuleEngine On
    SecRequestBodyAccess On
    SecResponseBodyAccess On
    SecRequestBodyLimit 13107200
    SecRequestBodyNoFilesLimit 131072
    SecRule REQUEST_HEADERS:Content-Type "@rx ^application/(?:[a-z0-9.-]+\\\\+)?json" \\
        "id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"

    """

// ENGINE_QUICK_PROFILE=recommended: Tollgate's recommended profile (CRS + exclusions + our rules), composed
// as the proxy does (Rulesets/profiles/recommended.conf with ${crs_path} and ${crs_setup} filled in).
let profile = ProcessInfo.processInfo.environment["ENGINE_QUICK_PROFILE"] ?? "crs"
var loader = RuleSetLoader()
do {
    if profile == "recommended" {
        let template = "Rulesets/profiles/recommended.conf"
        let absolute = URL(fileURLWithPath: crs).standardizedFileURL.path
        let text = try String(contentsOfFile: template, encoding: .utf8)
            .replacingOccurrences(of: "${crs_setup}", with: absolute + "/crs-setup.conf.example")
            .replacingOccurrences(of: "${crs_path}", with: absolute)
        try loader.load(text: "SecAction \"id:4759000,phase:1,pass,nolog,setvar:'tx.blocking_paranoia_level=1'\"\n")
        try loader.load(text: text, file: template)
    } else {
        try loader.load(text: setup, file: "<bench-setup>")
        try loader.load(file: crs + "/crs-setup.conf.example")
        // ENGINE_QUICK_ONLY=FILE: CRS's initialisation rules plus FILE instead of all of CRS (one rule's cost).
        if let only = ProcessInfo.processInfo.environment["ENGINE_QUICK_ONLY"] {
            try loader.load(files: [crs + "/rules/REQUEST-901-INITIALIZATION.conf"])
            try loader.load(file: only)
        } else {
            try loader.load(files: [crs + "/rules/*.conf"])
        }
    }
} catch {
    print("load failed: \(error)")
    exit(1)
}
let engine: Engine
do { engine = Engine(ruleSet: try loader.build()) } catch {
    print("build failed: \(error)")
    exit(1)
}

let browserHeaders: [HeaderField] = [
    HeaderField("Host", "shop.example.com"),
    HeaderField("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"),
    HeaderField("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
    HeaderField("Accept-Language", "en-US,en;q=0.5"),
    HeaderField("Accept-Encoding", "gzip, deflate, br"),
    HeaderField("Connection", "keep-alive"),
    HeaderField("Cookie", "session=3f9a8b7c6d5e4f3a2b1c; theme=dark"),
]
let getRequest = RequestInput(
    method: "GET", target: "/products/list?category=books&page=2&sort=price", headers: browserHeaders)
// The benchmark's GET mix (Benchmarks/mixes/get.lua): an API path, an SDK's headers, a bearer token, cookies.
let apiRequest = RequestInput(
    method: "GET", target: "/api/search?q=wireless+headphones&category=audio&min_price=50&max_price=200",
    headers: [
        HeaderField("Host", "shop.example.com"),
        HeaderField(
            "User-Agent",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"),
        HeaderField("Accept", "application/json, text/plain, */*"),
        HeaderField("Accept-Language", "en-GB,en;q=0.9,de;q=0.8"),
        HeaderField("Accept-Encoding", "gzip, deflate, br"),
        HeaderField(
            "Authorization",
            "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwiaWF0IjoxNzAwMDAwMDAwfQ.c2lnbmF0dXJlLW5vdC1yZWFs"
        ),
        HeaderField("Cookie", "session=3f9a7c1e5b; theme=dark; consent=analytics%3Dfalse"),
        HeaderField("Referer", "https://shop.example.com/products/1042"),
        HeaderField("X-Client-Version", "web-4.12.0"),
    ])

// `varied`: 4,096 API GETs like `apiRequest` with their own path ids, search terms, session cookie, bearer token
// and referer (the side-by-side benchmark's get-varied mix): values seen once, as from many users.
var seed: UInt64 = 42
func nextRandom(_ bound: Int) -> Int {
    seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return Int((seed >> 33) % UInt64(bound))
}
func randomText(_ count: Int, _ alphabet: String) -> String {
    let characters = Array(alphabet)
    return String((0..<count).map { _ in characters[nextRandom(characters.count)] })
}
let searchWords = ["wireless", "headphones", "garden", "chair", "kettle", "running", "shoes", "desk", "lamp", "mug"]
let variedRequests: [RequestInput] = (0..<4096).map { index in
    let hex = "0123456789abcdef"
    let base64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    let target: String
    switch index % 3 {
    case 0: target = "/api/orders/\(randomText(8, hex))-\(randomText(4, hex))-\(randomText(12, hex))"
    case 1:
        target =
            "/api/search?q=\(searchWords[nextRandom(10)])+\(searchWords[nextRandom(10)])&min_price=\(nextRandom(50))"
            + "&max_price=\(60 + nextRandom(900))"
    default: target = "/api/reviews?product=\(1000 + nextRandom(9000))&limit=10&cursor=\(randomText(16, base64url))"
    }
    var headers = apiRequest.headers.filter {
        !["authorization", "cookie", "referer"].contains(String(decoding: $0.name, as: UTF8.self).lowercased())
    }
    headers.append(
        HeaderField(
            "Authorization",
            "Bearer \(randomText(36, base64url)).\(randomText(48, base64url)).\(randomText(22, base64url))"))
    headers.append(HeaderField("Cookie", "session=\(randomText(16, hex)); theme=dark; consent=analytics%3Dfalse"))
    headers.append(HeaderField("Referer", "https://shop.example.com/products/\(1000 + nextRandom(9000))"))
    return RequestInput(method: "GET", target: target, headers: headers)
}
var variedIndex = 0

var json = "{\"order\":{\"id\":12345,\"customer\":\"Jane Doe\",\"email\":\"jane.doe@example.com\",\"items\":["
var i = 0
while json.utf8.count < 960 {
    json += "{\"sku\":\"BK-\(1000 + i)\",\"title\":\"A good book number \(i)\",\"qty\":\(i % 3 + 1)},"
    i += 1
}
json.removeLast()
json += "],\"note\":\"please deliver\"}}"
let body = Array(json.utf8)
let postRequest = RequestInput(
    method: "POST", target: "/api/orders",
    headers: [
        HeaderField("Host", "api.example.com"),
        HeaderField("User-Agent", "curl/8.5.0"),
        HeaderField("Accept", "application/json"),
        HeaderField("Content-Type", "application/json"),
        HeaderField("Content-Length", String(body.count)),
    ])

func runGET() -> Bool {
    let t = engine.transaction(for: getRequest)
    _ = t.processRequestHeaders()
    let v = t.processRequestBody([])
    t.runLoggingPhase()  // as the proxy does
    return v == .allow && t.anomalyScores.inbound == 0
}
func runAPI() -> Bool {
    let t = engine.transaction(for: apiRequest)
    _ = t.processRequestHeaders()
    let v = t.processRequestBody([])
    t.runLoggingPhase()  // as the proxy does
    return v == .allow && t.anomalyScores.inbound == 0
}
func runVaried() -> Bool {
    variedIndex = (variedIndex + 1) % variedRequests.count
    let t = engine.transaction(for: variedRequests[variedIndex])
    _ = t.processRequestHeaders()
    let v = t.processRequestBody([])
    t.runLoggingPhase()  // as the proxy does
    return v == .allow && t.anomalyScores.inbound == 0
}
func runPOST() -> Bool {
    let t = engine.transaction(for: postRequest)
    _ = t.processRequestHeaders()
    let v = t.processRequestBody(body)
    t.runLoggingPhase()  // as the proxy does
    return v == .allow && t.anomalyScores.inbound == 0
}

@inline(never) func iterateForCount(_ n: Int, _ f: () -> Bool) {
    for _ in 0..<n { _ = f() }
}

/// Thread CPU time in seconds (the machine is shared: wall time would measure the neighbours).
func cpuSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

func measure(_ name: String, _ body: () -> Bool) {
    guard body() else {
        print("\(name): not benign (blocked or scored)")
        exit(1)
    }
    for _ in 0..<20 { _ = body() }
    var n = 0
    let start = cpuSeconds()
    while cpuSeconds() - start < seconds {
        for _ in 0..<20 { _ = body() }
        n += 20
    }
    let elapsed = cpuSeconds() - start
    print(
        "\(name): \(Int(Double(n) / elapsed)) evaluations per CPU-second (\(n) in \(String(format: "%.2f", elapsed)) s CPU)"
    )
}

// ENGINE_QUICK_ITERATIONS=N: one warm-up request, then exactly N in `iterateForCount` (for instruction counts
// under callgrind, see instructions.sh: CPU time on a shared 2-core machine is noisy, instructions are not).
if let iterations = ProcessInfo.processInfo.environment["ENGINE_QUICK_ITERATIONS"].flatMap({ Int($0) }) {
    let which = CommandLine.arguments.count > 3 ? CommandLine.arguments[3] : "get"
    let f = which == "post" ? runPOST : which == "api" ? runAPI : which == "varied" ? runVaried : runGET
    _ = f()
    iterateForCount(iterations, f)
    exit(0)
}
print("JSON body: \(body.count) bytes")
let which = CommandLine.arguments.count > 3 ? CommandLine.arguments[3] : "both"
if which == "both" || which == "get" || which == "all" { measure("GET ", runGET) }
if which == "api" || which == "all" { measure("API ", runAPI) }
if which == "varied" || which == "all" { measure("VAR ", runVaried) }
if which == "both" || which == "post" || which == "all" { measure("POST", runPOST) }
