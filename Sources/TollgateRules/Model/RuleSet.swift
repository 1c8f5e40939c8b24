/// Engine-wide settings from SecLang directives (`SecRuleEngine`, body limits, ...).
///
/// Sizes are in bytes. Defaults follow ModSecurity's recommended configuration.
public struct EngineSettings: Sendable, Equatable {
    public var ruleEngine: EngineMode = .on
    public var requestBodyAccess = false
    public var responseBodyAccess = false
    /// `SecRequestBodyLimit`: largest request body inspected (default 13 MB); larger is an error verdict
    /// (`Reject`) or inspected partially (`ProcessPartial`).
    public var requestBodyLimit = 13_107_200
    /// `SecRequestBodyNoFilesLimit`: largest body excluding file parts (default 128 KiB).
    public var requestBodyNoFilesLimit = 131_072
    public var requestBodyLimitActionReject = true
    /// `SecResponseBodyLimit` (default 512 KiB).
    public var responseBodyLimit = 524_288
    public var responseBodyLimitActionReject = false
    /// `SecResponseBodyMimeType`: only these response types are inspected in phase 4.
    public var responseBodyMimeTypes: [String] = ["text/plain", "text/html"]
    public var componentSignatures: [String] = []
    public var argumentSeparator: UInt8 = UInt8(ascii: "&")
    public var auditEngine = "Off"
    public var auditLogParts = "ABIJDEFHZ"
    public var collectionTimeout = 3600
    /// `SecArgumentsLimit`: most arguments a body processor may produce (default 1000); more is an error.
    public var argumentsLimit = 1000
    /// `SecRequestBodyJsonDepthLimit`: deepest JSON nesting (default 512); deeper is an error.
    public var jsonDepthLimit = 512
    /// `SecUploadFileLimit`: most file parts in a multipart body (default 100).
    public var uploadFileLimit = 100
    /// Other directives accepted and recorded as written (audit log paths, debug log, ...).
    public var recorded: [String: String] = [:]

    public init() {}
}

/// An immutable, compiled SecLang ruleset: rules per phase in order, markers, defaults and settings.
///
/// Build with `RuleSetLoader`; share freely across threads; swap whole on reload.
public struct RuleSet: Sendable {
    /// `phases[p]` for p in 1...5 (index 0 unused).
    package var phases: [[PhaseEntry]] {
        didSet {
            programs = phases.map(PhaseProgram.init)
            tagRules = Self.tagRules(phases)
        }
    }
    /// Per tag: the bit set of the top-level rules (by `CompiledRule.ordinal`) that carry it, so `ctl:` by tag
    /// is a bit test per rule, not a string lookup.
    package private(set) var tagRules: [String: [UInt64]]
    /// `phases` as the evaluator runs them.
    package private(set) var programs: [PhaseProgram]
    /// Last `SecDefaultAction` per phase.
    package var defaultActions: [Int: RuleActions]
    public var settings: EngineSettings
    /// Number of top-level rules (chains count once).
    public var ruleCount: Int
    /// Number of distinct transformation chains (for the per-request cache).
    package var transformationChainCount: Int
    /// The load-time literal prefilter (see `RulePrefilter`).
    package var prefilter: RulePrefilter = .empty

    package init(
        phases: [[PhaseEntry]], defaultActions: [Int: RuleActions], settings: EngineSettings, ruleCount: Int,
        transformationChainCount: Int
    ) {
        self.phases = phases
        self.programs = phases.map(PhaseProgram.init)
        self.tagRules = Self.tagRules(phases)
        self.defaultActions = defaultActions
        self.settings = settings
        self.ruleCount = ruleCount
        self.transformationChainCount = transformationChainCount
    }

    private static func tagRules(_ phases: [[PhaseEntry]]) -> [String: [UInt64]] {
        var rules: [CompiledRule] = []
        for case .rule(let rule) in phases.joined() where rule.ordinal >= 0 { rules.append(rule) }
        let words = (rules.map(\.ordinal).max() ?? 0) / 64 + 1
        var out: [String: [UInt64]] = [:]
        for rule in rules {
            for tag in rule.tags {
                out[tag, default: Array(repeating: 0, count: words)][rule.ordinal >> 6] |=
                    1 << UInt64(rule.ordinal & 63)
            }
        }
        return out
    }

    /// Rule ids, in load order, for inspection and tests.
    public var ruleIDs: [Int] {
        phases.flatMap { $0 }.compactMap { entry -> Int? in
            if case .rule(let r) = entry { return r.id } else { return nil }
        }
    }
}
