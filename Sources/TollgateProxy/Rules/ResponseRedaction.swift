import Synchronization
import TollgateRegex
import TollgateRules

/// Redaction of secrets in a held response, for rulesets in `tx.tollgate_response_mode=redact`.
///
/// Contract with the ruleset (Rulesets/README.md): a phase-4 rule that may be answered by redaction
/// carries a tag `tollgate-redact/<PCRE pattern>`; the pattern names the bytes to mask (it may differ from
/// the rule's own pattern, e.g. a whole private key block, or only a value after `\K`). The response is
/// redacted instead of blocked only when every logged phase-4 match (anomaly evaluations aside) carries
/// such a tag and matched the response body, every pattern compiles and matches without error, masking
/// changed the body, and no pattern matches the response head afterwards. Otherwise the block stands.
public enum ResponseRedaction {
    /// What replaces each masked span.
    public static let mask = Array("[REDACTED]".utf8)
    /// The tag prefix that marks a rule as redactable and carries its pattern.
    public static let tagPrefix = "tollgate-redact/"

    /// The redaction pattern in a rule's tags, if any.
    public static func pattern(_ tags: [String]) -> String? {
        for tag in tags where tag.hasPrefix(tagPrefix) {
            let pattern = String(tag.dropFirst(tagPrefix.count))
            return pattern.isEmpty ? nil : pattern
        }
        return nil
    }

    /// Most spans one pattern masks in one response: each match copies the rest of the body, so the work
    /// is bounded; a response with more is blocked instead.
    public static let maximumMasks = 256

    /// `body` with every match of `regex` replaced by `mask`; nil when a match could not be decided
    /// (a PCRE2 limit), which must not be taken for "nothing to mask", or when there are more than
    /// `maximumMasks` matches.
    public static func redact(_ body: [UInt8], _ regex: Regex, mask: [UInt8] = mask) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var start = 0
        var masks = 0
        var groups: [Range<Int>?] = []
        while start < body.count {
            masks += 1
            if masks > maximumMasks + 1 { return nil }
            let subject = Array(body[start...])
            switch regex.firstMatch(in: subject, maxGroups: 1, groups: &groups) {
            case .noMatch:
                out.append(contentsOf: subject)
                return out
            case .error:
                return nil
            case .match:
                guard let whole = groups.first ?? nil else { return nil }
                out.append(contentsOf: subject[..<whole.lowerBound])
                out.append(contentsOf: mask)
                // An empty match masks nothing: keep the byte and move on, so the loop always advances.
                if whole.isEmpty {
                    if whole.lowerBound < subject.count { out.append(subject[whole.lowerBound]) }
                    start += whole.lowerBound + 1
                } else {
                    start += whole.upperBound
                }
            }
        }
        return out
    }

    /// `head` (a complete HTTP/1.1 response head ending in an empty line) with its Content-Length value
    /// replaced by `length`; nil when the head has no Content-Length field.
    public static func settingContentLength(_ head: [UInt8], to length: Int) -> [UInt8]? {
        let name = Array("content-length:".utf8)
        var lineStart = 0
        while lineStart < head.count {
            var lineEnd = lineStart
            while lineEnd < head.count, head[lineEnd] != 10 { lineEnd += 1 }
            if lineEnd - lineStart > name.count,
                zip(head[lineStart..<lineStart + name.count], name).allSatisfy({ lower($0) == $1 })
            {
                let valueEnd = lineEnd > lineStart && head[lineEnd - 1] == 13 ? lineEnd - 1 : lineEnd
                var out = Array(head[..<(lineStart + name.count)])
                out.append(32)
                out.append(contentsOf: Array(String(length).utf8))
                out.append(contentsOf: head[valueEnd...])
                return out
            }
            lineStart = lineEnd + 1
        }
        return nil
    }

    static func lower(_ byte: UInt8) -> UInt8 { (65...90).contains(byte) ? byte + 32 : byte }
}

/// Compiled redaction patterns, shared by the transactions of one ruleset (compiled on first use; a
/// pattern that does not compile is remembered as such and makes its responses block).
final class RedactionPatterns: Sendable {
    private let cache = Mutex<[String: Regex?]>([:])

    func regex(_ pattern: String) -> Regex? {
        if let cached = cache.withLock({ $0[pattern] }) { return cached }
        let compiled = try? Regex(pattern)
        cache.withLock { $0[pattern] = compiled }
        return compiled
    }
}

extension RuleTransaction {
    /// The held response with the secrets of redactable phase-4 matches masked (see `ResponseRedaction`).
    func redactedResponse(head: [UInt8], body: ArraySlice<UInt8>) -> [UInt8]? {
        guard transaction.transactionVariable("tollgate_response_mode") == "redact" else { return nil }
        var patterns: [Regex] = []
        for rule in transaction.matchedRules where rule.phase == 4 && rule.logged {
            if rule.disruptive || rule.tags.contains("anomaly-evaluation") { continue }
            guard rule.matchedVariableName.hasPrefix("RESPONSE_BODY"),
                let pattern = ResponseRedaction.pattern(rule.tags),
                let regex = inspector.redactionPatterns.regex(pattern)
            else { return nil }
            patterns.append(regex)
        }
        guard !patterns.isEmpty else { return nil }
        var redacted = Array(body)
        for regex in patterns {
            guard let next = ResponseRedaction.redact(redacted, regex) else { return nil }
            redacted = next
        }
        guard redacted != Array(body) else { return nil }
        // A secret in a header cannot be masked here: then the block stands.
        for regex in patterns where regex.matches(head) != .noMatch { return nil }
        guard let newHead = ResponseRedaction.settingContentLength(head, to: redacted.count) else { return nil }
        return newHead + redacted
    }
}
