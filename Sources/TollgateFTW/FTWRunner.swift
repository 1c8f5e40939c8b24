import Foundation
import TollgateRules

/// Totals of a run.
public struct FTWSummary: Sendable {
    public var passed = 0
    public var failed = 0
    public var skipped = 0
    /// `920100-4: reason` for each failure.
    public var failures: [String] = []
    /// The closing line: `N passed, N failed, N skipped`.
    public var line: String { "\(passed) passed, \(failed) failed, \(skipped) skipped" }
}

/// Runs go-ftw tests in process: builds each stage's bytes as go-ftw would, parses them with the proxy's
/// HTTP parser, evaluates phases 1-5 with the engine (with an in-process albedo backend for responses)
/// and checks `status`, `expect_ids`, `no_expect_ids`, `match_regex`, `no_match_regex` like go-ftw.
public struct FTWRunner {
    public var engine: Engine
    public var overrides: FTWOverrides
    public var include: NSRegularExpression?
    public var verbose: Bool
    /// Options for every transaction (e.g. a preset paranoia level from `--config`).
    public var options: TransactionOptions

    public init(
        engine: Engine, overrides: FTWOverrides = FTWOverrides(), include: String? = nil, verbose: Bool = false,
        options: TransactionOptions = TransactionOptions()
    ) throws {
        self.engine = engine
        self.options = options
        self.overrides = overrides
        self.include = try include.map { try NSRegularExpression(pattern: $0) }
        self.verbose = verbose
    }

    /// Finds `*.yaml`/`*.yml` files under the given files or directories, sorted.
    public static func testFiles(in paths: [String]) -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if !isDirectory.boolValue {
                out.append(path)
                continue
            }
            guard let e = fm.enumerator(atPath: path) else { continue }
            for case let rel as String in e where rel.hasSuffix(".yaml") || rel.hasSuffix(".yml") {
                out.append((path as NSString).appendingPathComponent(rel))
            }
        }
        return out.sorted()
    }

    public func run(paths: [String], output: (String) -> Void) -> FTWSummary {
        var summary = FTWSummary()
        for file in Self.testFiles(in: paths) {
            let testFile: FTWTestFile
            do {
                testFile = try FTWTestLoader.load(path: file)
            } catch {
                summary.failed += 1
                summary.failures.append("\(file): \(error)")
                output("FAIL \(file): \(error)")
                continue
            }
            for test in testFile.tests {
                if let include {
                    let name = test.name
                    if include.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) == nil { continue }
                }
                if let reason = overrides.reasons[test.name] {
                    summary.skipped += 1
                    if verbose { output("SKIP \(test.name): \(reason)") }
                    continue
                }
                if let problem = runTest(test) {
                    summary.failed += 1
                    summary.failures.append("\(test.name): \(problem)")
                    output("FAIL \(test.name): \(problem)")
                } else {
                    summary.passed += 1
                    if verbose { output("PASS \(test.name)") }
                }
            }
        }
        return summary
    }

    /// Runs one test; nil when it passes, else the reason.
    public func runTest(_ test: FTWTest) -> String? {
        for (index, stage) in test.stages.enumerated() {
            if let problem = runStage(stage) {
                return test.stages.count > 1 ? "stage \(index + 1): \(problem)" : problem
            }
        }
        return nil
    }

    struct StageResult {
        var status: Int
        var error: Bool
        var logged: [MatchedRule]
        var log: String
    }

    func execute(_ input: FTWInput) -> StageResult {
        let raw = FTWRequest.rawBytes(input)
        switch FTWRequest.parse(raw) {
        case .rejected(let status, let reason):
            return StageResult(status: status, error: true, logged: [], log: "rejected by the HTTP parser: \(reason)")
        case .request(let request, let body, let path):
            let tx = engine.transaction(for: request, options: options)
            var verdict = tx.processRequestHeaders()
            if verdict == .allow { verdict = tx.processRequestBody(body) }
            var status = 200
            if verdict == .allow {
                let response = AlbedoBackend.respond(method: request.method, path: path, body: body)
                status = response.head.status
                verdict = tx.processResponseHeaders(response.head)
                if verdict == .allow { verdict = tx.processResponseBody(response.body) }
            }
            switch verdict {
            case .allow: break
            case .block(let s, _): status = s
            case .drop: status = 0
            case .redirect(let s, _, _): status = s
            }
            tx.processLogging()
            let logged = tx.matchedRules.filter(\.logged)
            // Like ModSecurity's error log: one line per rule, control characters escaped as \xHH.
            let log = logged.map { r in
                Self.escape(
                    "ModSecurity: Warning. Matched against variable `\(r.matchedVariableName)' [id \"\(r.id)\"] [msg \"\(r.message)\"] [data \"\(r.logData)\"] [tag \"\(r.tags.joined(separator: "\"] [tag \""))\"]"
                )
            }.joined(separator: "\n")
            // A dropped connection is what go-ftw sees as an error.
            let dropped: Bool
            if case .drop = verdict { dropped = true } else { dropped = false }
            return StageResult(status: status, error: dropped, logged: logged, log: log)
        }
    }

    func runStage(_ stage: FTWStage) -> String? {
        let result = execute(stage.input)
        let out = stage.output
        let ids = Set(result.logged.map(\.id))
        var problems: [String] = []
        if !out.status.isEmpty && !out.status.contains(result.status) {
            problems.append("status \(result.status), expected \(out.status)")
        }
        if out.expectError && !result.error {
            problems.append("expected a connection error, got status \(result.status)")
        }
        let missing = out.expectIDs.filter { !ids.contains($0) }
        if !missing.isEmpty { problems.append("missing ids \(missing)") }
        let unexpected = out.noExpectIDs.filter { ids.contains($0) }
        if !unexpected.isEmpty { problems.append("unexpected ids \(unexpected)") }
        if let pattern = out.matchRegex, !matches(pattern, result.log) {
            problems.append("log does not match /\(pattern)/")
        }
        if let pattern = out.noMatchRegex, matches(pattern, result.log) {
            problems.append("log matches /\(pattern)/")
        }
        if problems.isEmpty { return nil }
        if verbose {
            problems.append("logged \(result.logged.map(\.id).sorted())")
        }
        return problems.joined(separator: "; ")
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            if u.value < 0x20 || u.value == 0x7F {
                let hex = String(u.value, radix: 16)
                out += "\\x" + (hex.count == 1 ? "0" : "") + hex
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    func matches(_ pattern: String, _ text: String) -> Bool {
        guard let re = try? NSRegularExpression(pattern: pattern) else { return false }
        return re.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
