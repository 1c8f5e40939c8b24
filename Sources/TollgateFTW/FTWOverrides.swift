import Foundation
import Yams

/// Tests we do not pass, each with a reason (`Rulesets/ftw-overrides.yaml`, shaped like CRS's
/// nginx-overrides.yaml: `test_overrides: - rule_id, test_ids, reason`). Overridden tests are skipped.
public struct FTWOverrides: Sendable {
    public var reasons: [String: String] = [:]

    public init() {}

    public init(path: String) throws(FTWError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FTWError(path: path, message: "cannot read overrides")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: String(decoding: data, as: UTF8.self))
        } catch {
            throw FTWError(path: path, message: "YAML: \(error)")
        }
        for entry in node?["test_overrides"]?.array() ?? [] {
            guard let rule = entry["rule_id"]?.int else {
                throw FTWError(path: path, message: "override without rule_id")
            }
            guard let reason = entry["reason"]?.string, !reason.isEmpty else {
                throw FTWError(path: path, message: "override for \(rule) has no reason")
            }
            for id in FTWTestLoader.ints(entry["test_ids"]) {
                reasons["\(rule)-\(id)"] = reason
            }
        }
    }
}
