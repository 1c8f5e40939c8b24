import Foundation

/// Loads SecLang files, globs and inline text into an immutable `RuleSet`. Fails closed: any unknown
/// directive, variable, operator, action or transformation is a `RuleLoadError` naming file and line.
public struct RuleSetLoader {
    /// Builds an operator; injectable so tests can use private operators.
    package typealias OperatorMaker = (_ name: String, _ argument: String, _ baseDirectory: String) throws ->
        any RuleOperator

    package var makeOperator: OperatorMaker
    /// Top-level entries in load order (rules and markers).
    var entries: [LoadEntry] = []
    var settings = EngineSettings()
    var defaultActions: [Int: RuleActions] = [:]
    /// Open chain: the starter and links collected so far.
    var openChain: [Rule] = []
    var includeStack: [String] = []
    var chainIDs: [String: Int] = [:]
    /// Whether `build()` derives the literal prefilter (on by default; off only to compare verdicts in tests).
    public var literalPrefilter = true
    var seenIDs: Set<Int> = []

    enum LoadEntry {
        case rule(Rule)
        case marker(String)
    }

    public init() {
        self.makeOperator = { name, argument, base in
            try OperatorFactory.make(name: name, argument: argument, baseDirectory: base)
        }
    }

    package init(makeOperator: @escaping OperatorMaker) {
        self.makeOperator = makeOperator
    }

    /// Loads the files (or glob patterns, expanded in sorted order) in order.
    public mutating func load(files patterns: [String]) throws(RuleLoadError) {
        for pattern in patterns {
            let paths = try Self.expand(
                pattern: pattern, relativeTo: FileManager.default.currentDirectoryPath,
                file: "<config>", line: 0)
            for path in paths { try load(file: path) }
        }
    }

    /// Loads one file (an `Include` target).
    public mutating func load(file path: String) throws(RuleLoadError) {
        let canonical = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        if includeStack.contains(canonical) {
            let chain = (includeStack + [canonical]).joined(separator: " -> ")
            throw RuleLoadError(.includeCycle, file: includeStack.last ?? path, line: 0, "include cycle: \(chain)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RuleLoadError(.unreadableFile, file: path, line: 0, "cannot read file")
        }
        let text = String(decoding: data, as: UTF8.self)
        includeStack.append(canonical)
        defer { includeStack.removeLast() }
        try load(text: text, file: path)
    }

    /// Loads SecLang text (`file` names it in errors; relative includes resolve against its directory).
    public mutating func load(text: String, file: String = "<inline>") throws(RuleLoadError) {
        let directives = try SecLangLexer.directives(in: text, file: file)
        for directive in directives {
            try apply(directive)
        }
        if !openChain.isEmpty {
            // A chain may not continue across files.
            let starter = openChain[0]
            throw RuleLoadError(
                .chainWithoutRule, file: starter.file, line: starter.line,
                "rule \(starter.id) has 'chain' but no rule follows it")
        }
    }

    /// Finishes loading: returns the compiled, immutable ruleset.
    public func build() throws(RuleLoadError) -> RuleSet {
        if let starter = openChain.first {
            throw RuleLoadError(
                .chainWithoutRule, file: starter.file, line: starter.line,
                "rule \(starter.id) has 'chain' but no rule follows it")
        }
        var phases: [[PhaseEntry]] = Array(repeating: [], count: 6)
        var count = 0
        var prefilter = RulePrefilter.Builder(enabled: literalPrefilter, chainIDs: chainIDs)
        for entry in entries {
            switch entry {
            case .rule(let rule):
                let phase = rule.actions.phase ?? 2
                phases[phase].append(
                    .rule(
                        CompiledRule(
                            rule, prefilter: prefilter.add(rule), defaults: defaultActions[phase], ordinal: count)))
                count += 1
            case .marker(let name):
                for p in 1...5 { phases[p].append(.marker(name)) }
            }
        }
        var ruleSet = RuleSet(
            phases: phases, defaultActions: defaultActions, settings: settings, ruleCount: count,
            transformationChainCount: chainIDs.count)
        ruleSet.prefilter = prefilter.build()
        return ruleSet
    }

    /// Convenience: loads inline text and builds.
    public static func ruleSet(text: String, file: String = "<inline>") throws(RuleLoadError) -> RuleSet {
        var loader = RuleSetLoader()
        try loader.load(text: text, file: file)
        return try loader.build()
    }

    /// Convenience: loads files/globs and builds.
    public static func ruleSet(files: [String]) throws(RuleLoadError) -> RuleSet {
        var loader = RuleSetLoader()
        try loader.load(files: files)
        return try loader.build()
    }

    static func expand(pattern: String, relativeTo base: String, file: String, line: Int) throws(RuleLoadError)
        -> [String]
    {
        let full = pattern.hasPrefix("/") ? pattern : (base as NSString).appendingPathComponent(pattern)
        guard full.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) else { return [full] }
        let directory = (full as NSString).deletingLastPathComponent
        let namePattern = (full as NSString).lastPathComponent
        if directory.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) {
            throw RuleLoadError(
                .invalidValue, file: file, line: line, "glob wildcards are supported in the file name only: \(pattern)")
        }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw RuleLoadError(.unreadableFile, file: file, line: line, "cannot list directory \(directory)")
        }
        let matched = names.filter { fnmatch(namePattern, $0, 0) == 0 }.sorted()
        if matched.isEmpty {
            throw RuleLoadError(.unreadableFile, file: file, line: line, "no file matches \(pattern)")
        }
        return matched.map { (directory as NSString).appendingPathComponent($0) }
    }
}
