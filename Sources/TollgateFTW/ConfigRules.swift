import Foundation
import TollgateRules
import Yams

/// Loads the rules a Tollgate config file names (`rules.files`, relative to the config file, and
/// `rules.mode`), for `tollgate ftw --config`. With `profile: recommended` and `crs_path:`, CRS's
/// crs-setup.conf.example and rules/*.conf are loaded first; `paranoia_level:` presets
/// `tx.blocking_paranoia_level` per transaction (CRS keeps a value that is already set).
public enum ConfigRules {
    /// Per-transaction options the config implies (paranoia level).
    public static func options(path: String) throws -> TransactionOptions {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(description: "cannot read \(path)")
        }
        let root = try Yams.compose(yaml: String(decoding: data, as: UTF8.self))
        guard let level = root?["rules"]?["paranoia_level"] else { return TransactionOptions() }
        guard let n = level.int, (1...4).contains(n) else {
            throw ConfigError(description: "\(path): rules.paranoia_level must be 1-4")
        }
        return TransactionOptions(transactionVariables: ["blocking_paranoia_level": String(n)])
    }

    public struct ConfigError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func load(path: String) throws -> (RuleSet, RulesMode) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(description: "cannot read \(path)")
        }
        let root = try Yams.compose(yaml: String(decoding: data, as: UTF8.self))
        guard let rules = root?["rules"] else { throw ConfigError(description: "\(path): no rules section") }
        let base = (path as NSString).deletingLastPathComponent
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : (base as NSString).appendingPathComponent(p) }
        var files: [String] = []
        if rules["profile"]?.string == "recommended" {
            guard let crsPath = rules["crs_path"]?.string else {
                throw ConfigError(description: "\(path): profile recommended needs crs_path")
            }
            files.append(resolve(crsPath) + "/crs-setup.conf.example")
            files.append(resolve(crsPath) + "/rules/*.conf")
        }
        for f in rules["files"]?.array() ?? [] {
            guard let s = f.string else {
                throw ConfigError(description: "\(path): rules.files entries must be strings")
            }
            files.append(resolve(s))
        }
        let modeText = rules["mode"]?.string ?? "block"
        guard let mode = RulesMode(rawValue: modeText) else {
            throw ConfigError(description: "\(path): rules.mode must be block, detect or off")
        }
        return (try RuleSetLoader.ruleSet(files: files), mode)
    }
}
