import Foundation
import Yams

/// One go-ftw test file (`rule_id`, `tests:`), as in CRS's tests/regression/tests.
public struct FTWTestFile: Sendable {
    public var path: String
    public var ruleID: Int
    public var tests: [FTWTest]
}

public struct FTWTest: Sendable {
    public var ruleID: Int
    public var testID: Int
    public var description: String
    public var stages: [FTWStage]
    /// `920100-4`, the go-ftw name.
    public var name: String { "\(ruleID)-\(testID)" }
}

public struct FTWStage: Sendable {
    public var input: FTWInput
    public var output: FTWOutput
}

/// A stage's request as go-ftw describes it.
public struct FTWInput: Sendable {
    public var method = "GET"
    public var uri = "/"
    public var version = "HTTP/1.1"
    /// Headers in file order.
    public var headers: [(String, String)] = []
    public var data: [UInt8]?
    public var encodedRequest: [UInt8]?
    public var autocompleteHeaders = true
}

/// What a stage expects.
public struct FTWOutput: Sendable {
    public var status: [Int] = []
    public var expectIDs: [Int] = []
    public var noExpectIDs: [Int] = []
    public var matchRegex: String?
    public var noMatchRegex: String?
    public var expectError = false
}

/// An error reading a test file.
public struct FTWError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

enum FTWTestLoader {
    static func load(path: String) throws(FTWError) -> FTWTestFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FTWError(path: path, message: "cannot read")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: String(decoding: data, as: UTF8.self))
        } catch {
            throw FTWError(path: path, message: "YAML: \(error)")
        }
        guard let root = node else { return FTWTestFile(path: path, ruleID: 0, tests: []) }
        let ruleID = root["rule_id"]?.int ?? 0
        var tests: [FTWTest] = []
        for (index, t) in (root["tests"]?.array() ?? []).enumerated() {
            let testID = t["test_id"]?.int ?? (index + 1)
            var stages: [FTWStage] = []
            for s in t["stages"]?.array() ?? [] {
                // Old format: `- stage: {input, output}`.
                let stageNode = s["stage"] ?? s
                guard let inputNode = stageNode["input"] else { continue }
                stages.append(FTWStage(input: parseInput(inputNode), output: parseOutput(stageNode["output"])))
            }
            tests.append(FTWTest(ruleID: ruleID, testID: testID, description: t["desc"]?.string ?? "", stages: stages))
        }
        return FTWTestFile(path: path, ruleID: ruleID, tests: tests)
    }

    static func parseInput(_ n: Node) -> FTWInput {
        var input = FTWInput()
        if let m = n["method"]?.string { input.method = m }
        if let u = n["uri"]?.string { input.uri = u }
        if let v = n["version"]?.string { input.version = v }
        if let h = n["headers"]?.mapping {
            for (k, v) in h {
                input.headers.append((k.string ?? "", v.string ?? ""))
            }
        }
        if let d = n["data"]?.string { input.data = Array(d.utf8) }
        if let e = n["encoded_request"]?.string {
            let cleaned = e.filter { !$0.isWhitespace }
            input.encodedRequest = Data(base64Encoded: cleaned).map { [UInt8]($0) }
        }
        if let r = n["raw_request"]?.string { input.encodedRequest = Array(r.utf8) }
        if let a = n["autocomplete_headers"]?.bool { input.autocompleteHeaders = a }
        return input
    }

    static func ints(_ n: Node?) -> [Int] {
        guard let n else { return [] }
        if let i = n.int { return [i] }
        return n.array().compactMap(\.int)
    }

    static func parseOutput(_ n: Node?) -> FTWOutput {
        var out = FTWOutput()
        guard let n else { return out }
        out.status = ints(n["status"])
        out.expectError = n["expect_error"]?.bool ?? false
        if let log = n["log"] {
            out.expectIDs = ints(log["expect_ids"]) + ints(log["expect_id"])
            out.noExpectIDs = ints(log["no_expect_ids"]) + ints(log["no_expect_id"])
            out.matchRegex = log["match_regex"]?.string
            out.noMatchRegex = log["no_match_regex"]?.string
        }
        out.expectIDs += ints(n["log_contains_id"])
        out.noExpectIDs += ints(n["no_log_contains_id"])
        if let r = n["log_contains"]?.string { out.matchRegex = r }
        if let r = n["no_log_contains"]?.string { out.noMatchRegex = r }
        return out
    }
}
