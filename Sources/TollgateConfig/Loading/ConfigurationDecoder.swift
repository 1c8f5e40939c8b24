import Foundation
import Yams

/// Walks a composed YAML tree, building a configuration and collecting every issue on the way.
///
/// Each `decode…` function returns `nil` (or a default) after recording an issue, so one bad value
/// never hides the next one.
final class ConfigurationDecoder {
    let file: String
    /// Directory that relative paths in the file are resolved against; `nil` leaves them as written.
    let baseDirectory: String?
    private(set) var issues: [ConfigurationIssue] = []
    /// Positions of values checked after decoding (file existence), by key path.
    var marks: [String: Mark] = [:]

    init(file: String, baseDirectory: String?) {
        self.file = file
        self.baseDirectory = baseDirectory
    }

    // MARK: Issues

    func report(_ code: ConfigurationIssue.Code, _ path: String, at node: Node?, _ message: String) {
        let mark = node?.mark
        issues.append(
            ConfigurationIssue(
                code: code, keyPath: path, file: file, line: mark?.line, column: mark?.column, message: message))
    }

    // MARK: Mappings

    /// A mapping's entries by key, after checking the keys against `allowed` (unknown keys are reported
    /// with a suggestion) and the value is a mapping at all.
    func mapping(_ node: Node, _ path: String, allowed: [String]) -> MappingEntries? {
        guard case .mapping(let mapping) = node else {
            report(.typeMismatch, path, at: node, "must be a mapping (key: value lines), got \(describe(node))")
            return nil
        }
        var entries = MappingEntries(path: path, node: node)
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                report(.typeMismatch, path, at: keyNode, "keys must be plain words, got \(describe(keyNode))")
                continue
            }
            let key = scalar.string
            guard allowed.contains(key) else {
                let known = allowed.joined(separator: ", ")
                report(
                    .unknownKey, entries.childPath(key), at: keyNode,
                    "unknown key '\(key)'\(Suggestion.hint(for: key, in: allowed)) (known keys: \(known))")
                continue
            }
            entries.values[key] = value
            entries.order.append(key)
        }
        return entries
    }

    /// A mapping whose keys are free-form names (e.g. function names under `rules.functions`).
    func namedMapping(_ node: Node, _ path: String) -> [(name: String, keyNode: Node, value: Node)]? {
        guard case .mapping(let mapping) = node else {
            report(
                .typeMismatch, path, at: node, "must be a mapping of function name to settings, got \(describe(node))")
            return nil
        }
        var result: [(String, Node, Node)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                report(.typeMismatch, path, at: keyNode, "keys must be function names, got \(describe(keyNode))")
                continue
            }
            result.append((scalar.string, keyNode, value))
        }
        return result
    }

    /// Longest list accepted anywhere (bounds the work a file full of YAML aliases can cause).
    static let maxListCount = 10_000

    /// A sequence's items.
    func sequence(_ node: Node, _ path: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            report(.typeMismatch, path, at: node, "must be a list, got \(describe(node))")
            return nil
        }
        guard sequence.count <= Self.maxListCount else {
            report(.outOfRange, path, at: node, "must have at most \(Self.maxListCount) items, got \(sequence.count)")
            return nil
        }
        return Array(sequence)
    }

    // MARK: Scalars

    /// A non-null scalar's text.
    func string(_ node: Node, _ path: String) -> String? {
        guard case .scalar(let scalar) = node else {
            report(.typeMismatch, path, at: node, "must be a string, got \(describe(node))")
            return nil
        }
        if isNull(scalar) {
            report(.typeMismatch, path, at: node, "must be a string, but no value is given")
            return nil
        }
        return scalar.string
    }

    /// A whole number within `range`. Underscores are allowed as digit separators (`10_000`).
    func integer(_ node: Node, _ path: String, in range: ClosedRange<Int>, unit: String = "") -> Int? {
        guard let text = scalarText(node, path, expecting: "a whole number") else { return nil }
        guard let value = Self.parseInteger(text) else {
            report(
                .typeMismatch, path, at: node,
                "must be a whole number\(unit.isEmpty ? "" : " (\(unit))"), got '\(text)'")
            return nil
        }
        return checkRange(value, node, path, range, unit: unit)
    }

    /// A size in bytes: a whole number, or a number with a KiB/MiB/GiB (or KB/MB/GB, k/m/g) suffix.
    func byteSize(_ node: Node, _ path: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = scalarText(node, path, expecting: "a size in bytes") else { return nil }
        guard let value = Self.parseByteSize(text) else {
            report(
                .typeMismatch, path, at: node,
                "must be a size in bytes such as 65536, 64KiB or 10MiB, got '\(text)'")
            return nil
        }
        return checkRange(value, node, path, range, unit: "bytes")
    }

    /// A decimal number within `range`.
    func number(_ node: Node, _ path: String, in range: ClosedRange<Double>, exclusiveLower: Bool = false) -> Double? {
        guard let text = scalarText(node, path, expecting: "a number") else { return nil }
        let cleaned = text.replacingOccurrences(of: "_", with: "")
        guard let value = Double(cleaned), value.isFinite else {
            report(.typeMismatch, path, at: node, "must be a number, got '\(text)'")
            return nil
        }
        if exclusiveLower && value <= range.lowerBound {
            report(.outOfRange, path, at: node, "must be greater than \(Self.format(range.lowerBound)), got \(text)")
            return nil
        }
        guard range.contains(value) else {
            report(
                .outOfRange, path, at: node,
                "must be between \(Self.format(range.lowerBound)) and \(Self.format(range.upperBound)), got \(text)")
            return nil
        }
        return value
    }

    /// `true` or `false`.
    func boolean(_ node: Node, _ path: String) -> Bool? {
        guard let text = scalarText(node, path, expecting: "true or false") else { return nil }
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default:
            report(.typeMismatch, path, at: node, "must be true or false, got '\(text)'")
            return nil
        }
    }

    /// One of a fixed set of words.
    func choice<T: RawRepresentable>(_ node: Node, _ path: String, _ type: T.Type, allowed: [T]) -> T?
    where T.RawValue == String {
        guard let text = string(node, path) else { return nil }
        if let value = T(rawValue: text), allowed.contains(where: { $0.rawValue == value.rawValue }) {
            return value
        }
        let words = allowed.map(\.rawValue)
        report(
            .invalidValue, path, at: node,
            "must be one of \(words.joined(separator: " | ")), got '\(text)'\(Suggestion.hint(for: text, in: words))")
        return nil
    }

    /// A list of strings; a single string is accepted as a one-element list.
    func stringList(_ node: Node, _ path: String) -> [(text: String, node: Node, path: String)]? {
        if case .scalar(let scalar) = node, !isNull(scalar) {
            return [(scalar.string, node, path)]
        }
        guard let items = sequence(node, path) else { return nil }
        var result: [(String, Node, String)] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            if let text = string(item, itemPath) {
                result.append((text, item, itemPath))
            }
        }
        return result
    }

    // MARK: Helpers

    private func scalarText(_ node: Node, _ path: String, expecting: String) -> String? {
        guard case .scalar(let scalar) = node else {
            report(.typeMismatch, path, at: node, "must be \(expecting), got \(describe(node))")
            return nil
        }
        if isNull(scalar) {
            report(.typeMismatch, path, at: node, "must be \(expecting), but no value is given")
            return nil
        }
        return scalar.string.trimmingCharacters(in: .whitespaces)
    }

    private func checkRange(_ value: Int, _ node: Node, _ path: String, _ range: ClosedRange<Int>, unit: String) -> Int?
    {
        guard range.contains(value) else {
            let suffix = unit.isEmpty ? "" : " \(unit)"
            let message: String
            if value < range.lowerBound && range.lowerBound == 1 {
                message = "must be positive (at least 1\(suffix)), got \(value)"
            } else if value < range.lowerBound && range.lowerBound == 0 {
                message = "must not be negative, got \(value)"
            } else {
                message = "must be between \(range.lowerBound) and \(range.upperBound)\(suffix), got \(value)"
            }
            report(.outOfRange, path, at: node, message)
            return nil
        }
        return value
    }

    func isNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): isNull(scalar) ? "nothing" : "'\(scalar.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    static func parseInteger(_ text: String) -> Int? {
        let cleaned = text.replacingOccurrences(of: "_", with: "")
        guard !cleaned.isEmpty else { return nil }
        var digits = Substring(cleaned)
        var negative = false
        if digits.first == "-" || digits.first == "+" {
            negative = digits.first == "-"
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int(digits) else {
            return nil
        }
        return negative ? -value : value
    }

    static func parseByteSize(_ text: String) -> Int? {
        let compact = text.replacingOccurrences(of: " ", with: "")
        let units: [(String, Int)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1000), ("MB", 1_000_000),
            ("GB", 1_000_000_000), ("k", 1 << 10), ("K", 1 << 10), ("m", 1 << 20), ("M", 1 << 20),
            ("g", 1 << 30), ("G", 1 << 30), ("B", 1),
        ]
        for (suffix, multiplier) in units where compact.hasSuffix(suffix) {
            guard let value = parseInteger(String(compact.dropLast(suffix.count))) else { return nil }
            let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
            return overflow ? nil : product
        }
        return parseInteger(compact)
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// Resolves a relative path against the configuration file's directory.
    func resolve(_ path: String) -> String {
        guard !path.hasPrefix("/"), let baseDirectory, !baseDirectory.isEmpty else { return path }
        var relative = Substring(path)
        while relative.hasPrefix("./") { relative = relative.dropFirst(2) }
        return baseDirectory.hasSuffix("/") ? baseDirectory + relative : baseDirectory + "/" + relative
    }
}

/// The recognised entries of one mapping.
struct MappingEntries {
    let path: String
    /// The mapping node itself (for "missing key" marks).
    let node: Node
    var values: [String: Node] = [:]
    var order: [String] = []

    subscript(key: String) -> Node? { values[key] }

    func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}

extension ConfigurationDecoder {
    func append(_ issue: ConfigurationIssue) {
        issues.append(issue)
    }

    /// Reports at the position recorded for `path` during decoding (see ``remember(_:at:)``).
    func report(_ code: ConfigurationIssue.Code, _ path: String, _ message: String) {
        let mark = marks[path]
        issues.append(
            ConfigurationIssue(
                code: code, keyPath: path, file: file, line: mark?.line, column: mark?.column, message: message))
    }
}
