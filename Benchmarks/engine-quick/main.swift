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

var loader = RuleSetLoader()
do {
    try loader.load(text: setup, file: "<bench-setup>")
    try loader.load(file: crs + "/crs-setup.conf.example")
    try loader.load(files: [crs + "/rules/*.conf"])
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
    t.processLogging()
    return v == .allow && t.anomalyScores.inbound == 0
}
func runPOST() -> Bool {
    let t = engine.transaction(for: postRequest)
    _ = t.processRequestHeaders()
    let v = t.processRequestBody(body)
    t.processLogging()
    return v == .allow && t.anomalyScores.inbound == 0
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
    print("\(name): \(Int(Double(n) / elapsed)) evaluations per CPU-second (\(n) in \(String(format: "%.2f", elapsed)) s CPU)")
}

print("JSON body: \(body.count) bytes")
let which = CommandLine.arguments.count > 3 ? CommandLine.arguments[3] : "both"
if which != "post" { measure("GET ", runGET) }
if which != "get" { measure("POST", runPOST) }
