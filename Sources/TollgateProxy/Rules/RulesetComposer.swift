import Foundation
import TollgateConfig
import TollgateRules

/// A ruleset that could not be composed or loaded: names the file, the line and the problem.
public struct RulesetError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// No `Rulesets/` directory with `profiles/` was found.
        case rulesetsNotFound = "rulesets_not_found"
        /// The recommended profile's CRS setup file is missing.
        case crsSetupNotFound = "crs_setup_not_found"
        /// A SecLang error (the engine's `RuleLoadError` code is in `ruleCode`).
        case load = "ruleset_load"
    }
    public var code: Code
    public var file: String
    public var line: Int
    public var message: String
    /// The engine's error code for `.load`.
    public var ruleCode: String?

    public init(_ code: Code, file: String, line: Int, _ message: String, ruleCode: String? = nil) {
        self.code = code
        self.file = file
        self.line = line
        self.message = message
        self.ruleCode = ruleCode
    }

    init(_ error: RuleLoadError) {
        self.init(.load, file: error.file, line: error.line, error.message, ruleCode: error.code.rawValue)
    }

    public var description: String { "\(file):\(line): \(message) [\(ruleCode ?? code.rawValue)]" }
}

/// Composes the `rules:` section into one compiled ruleset, exactly as Rulesets/README.md ("Profiles: exact
/// composition") describes: generated settings (ids 4,759,000-4,759,099), then the profile, then `rules.files`.
public enum RulesetComposer {
    /// First id of the generated per-function rules.
    static let firstFunctionRuleID = 4_759_010

    /// Loads and compiles the ruleset of `configuration` (nil when it has no `rules:` section or the
    /// section loads nothing).
    public static func compose(
        _ configuration: TollgateConfiguration,
        environment: [String: String] = ProcessInfo
            .processInfo.environment
    ) throws(RulesetError) -> RuleSet? {
        guard let rules = configuration.rules else { return nil }
        if rules.profile == nil && rules.files.isEmpty { return nil }
        var loader = RuleSetLoader()
        do {
            try loader.load(text: generatedSettings(configuration), file: "<generated settings>")
            if let profile = rules.profile {
                let directory = try rulesetsDirectory(rules, environment: environment)
                let profiles = (directory as NSString).appendingPathComponent("profiles")
                switch profile {
                case "recommended":
                    let template = (profiles as NSString).appendingPathComponent("recommended.conf")
                    let text = try recommendedText(template: template, crsPath: rules.crsPath ?? "")
                    try loader.load(text: text, file: template)
                default:
                    try loader.load(file: (profiles as NSString).appendingPathComponent("embedded.conf"))
                }
            }
            try loader.load(files: rules.files)
            return try loader.build()
        } catch let error as RuleLoadError {
            throw RulesetError(error)
        } catch let error as RulesetError {
            throw error
        } catch {
            throw RulesetError(.load, file: "<rules>", line: 0, "\(error)")
        }
    }

    /// The generated settings text: the paranoia level for every request, then one rule per function with
    /// an override, on the function's route (longer routes later, so they win).
    public static func generatedSettings(_ configuration: TollgateConfiguration) -> String {
        guard let rules = configuration.rules else { return "" }
        var text = """
            SecAction "id:4759000,phase:1,pass,nolog,setvar:'tx.blocking_paranoia_level=\(rules.paranoiaLevel)'"

            """
        // One rule per function with a paranoia override or declared methods, on its route; longer routes
        // later so they win over shorter prefixes of the same path.
        let tuned = configuration.functions.filter {
            rules.functionOverrides[$0.name]?.paranoiaLevel != nil || !$0.methods.isEmpty
        }.sorted { $0.route.count < $1.route.count }
        for (offset, function) in tuned.enumerated() {
            let id = firstFunctionRuleID + offset
            guard id <= 4_759_099 else { break }
            var actions = "id:\(id),phase:1,pass,nolog"
            if let level = rules.functionOverrides[function.name]?.paranoiaLevel {
                actions += ",setvar:'tx.blocking_paranoia_level=\(level)'"
            }
            let methods = function.methods.filter { $0.allSatisfy { $0.isLetter || $0 == "-" } }
            if !methods.isEmpty {
                actions += ",setvar:'tx.tollgate_allowed_methods=\(methods.joined(separator: " "))'"
            }
            let route = function.route.filter { $0 != "\"" && $0 != "'" && $0 != "\\" && $0 != " " }
            text += "SecRule REQUEST_FILENAME \"@beginsWith \(route)\" \"\(actions)\"\n"
        }
        return text
    }

    /// The recommended template with `${crs_path}` and `${crs_setup}` replaced.
    static func recommendedText(template: String, crsPath: String) throws(RulesetError) -> String {
        guard let data = FileManager.default.contents(atPath: template) else {
            throw RulesetError(.rulesetsNotFound, file: template, line: 0, "cannot read the recommended profile")
        }
        var crs = crsPath
        while crs.count > 1 && crs.hasSuffix("/") { crs.removeLast() }
        let candidates = [
            "\(crs)/crs-setup.conf", "\(crs)/crs-setup.conf.example", "/etc/modsecurity/crs/crs-setup.conf",
        ]
        guard let setup = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw RulesetError(
                .crsSetupNotFound, file: template, line: 0,
                "no CRS setup file: tried \(candidates.joined(separator: ", "))")
        }
        return String(decoding: data, as: UTF8.self)
            .replacingOccurrences(of: "${crs_setup}", with: setup)
            .replacingOccurrences(of: "${crs_path}", with: crs)
    }

    /// Where Tollgate's `Rulesets/` directory is: `rules.rulesets_path`, else `$TOLLGATE_RULESETS`, else
    /// relative to the executable (`<exe>/../../../Rulesets` for `.build/<triple>/<config>/tollgate`, then
    /// `<exe>/../../Rulesets`), else `./Rulesets`, else `/usr/share/tollgate/Rulesets`.
    public static func rulesetsDirectory(
        _ rules: RulesConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(RulesetError) -> String {
        var candidates: [String] = []
        if let configured = rules.rulesetsPath { candidates.append(configured) }
        if let fromEnvironment = environment["TOLLGATE_RULESETS"], !fromEnvironment.isEmpty {
            candidates.append(fromEnvironment)
        }
        if let executable = executablePath() {
            let directory = (executable as NSString).deletingLastPathComponent
            candidates.append(
                ((directory as NSString).appendingPathComponent("../../../Rulesets") as NSString).standardizingPath)
            candidates.append(
                ((directory as NSString).appendingPathComponent("../../Rulesets") as NSString).standardizingPath)
        }
        candidates.append((FileManager.default.currentDirectoryPath as NSString).appendingPathComponent("Rulesets"))
        candidates.append("/usr/share/tollgate/Rulesets")
        for candidate in candidates {
            let probe = (candidate as NSString).appendingPathComponent("profiles/embedded.conf")
            if FileManager.default.fileExists(atPath: probe) { return candidate }
            // An explicit setting that is wrong is an error, not a reason to look elsewhere.
            if candidate == rules.rulesetsPath { break }
        }
        throw RulesetError(
            .rulesetsNotFound, file: "<rules>", line: 0,
            "no Rulesets directory (with profiles/embedded.conf) found; tried \(candidates.joined(separator: ", ")); "
                + "set rules.rulesets_path or TOLLGATE_RULESETS")
    }

    static func executablePath() -> String? {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return Bundle.main.executablePath
    }
}
