import TollgateRegex

/// `@rx`: PCRE2 match, compiled and JIT-compiled at load (ModSecurity v2 flags: dotall, dollar-end-only).
///
/// With `capture`, group 0 and groups 1...9 are stored in `context.captures` (absent groups as empty values).
/// A match- or depth-limit overrun is reported as `.error`, never as no-match.
package struct RxOperator: RuleOperator {
    /// The compiled pattern; exposed so the engine can build load-time prefilters (minimum length, literals).
    package let regex: Regex
    /// The pattern as written (for the load-time literal prefilter).
    package let pattern: String
    /// The pattern is `^.*$`: under ModSecurity's options (dot-all, dollar at the end only) it matches every value
    /// whole, so PCRE2 need not run.
    let matchesWhole: Bool

    init(pattern: String) throws(OperatorLoadError) {
        self.pattern = pattern
        matchesWhole = pattern == "^.*$"
        do {
            regex = try Regex(pattern.isEmpty ? ".*" : pattern, options: .modSecurityDefault)
        } catch {
            throw OperatorLoadError("@rx: \(error.message) at offset \(error.offset) in pattern '\(pattern)'")
        }
    }

    package func evaluate(_ input: [UInt8], context: inout OperatorContext) -> OperatorResult {
        if matchesWhole {
            // `^.*$` with dot-all and dollar-end-only: every value, entirely (CRS 920450 captures each header name).
            if context.captureRequested {
                context.captures.removeAll(keepingCapacity: true)
                context.captures.append(input)
            }
            return .match
        }
        return Self.run(regex, input, &context)
    }

    static func run(_ regex: Regex, _ input: [UInt8], _ context: inout OperatorContext) -> OperatorResult {
        if !regex.couldMatch(length: input.count) { return .noMatch }
        if !context.captureRequested {
            switch regex.matches(input) {
            case .match: return .match
            case .noMatch: return .noMatch
            case .error(let error): return .error(OperatorError(regexError: error))
            }
        }
        var groups: [Range<Int>?] = []
        switch regex.firstMatch(in: input, maxGroups: 10, groups: &groups) {
        case .noMatch:
            return .noMatch
        case .error(let error):
            return .error(OperatorError(regexError: error))
        case .match:
            context.captures.removeAll(keepingCapacity: true)
            for range in groups {
                // A group over the whole value shares its bytes.
                if let range, range.count == input.count {
                    context.captures.append(input)
                } else {
                    context.captures.append(range.map { Array(input[$0]) } ?? [])
                }
            }
            return .match
        }
    }
}

extension OperatorError {
    init(regexError: RegexMatchError) {
        switch regexError.code {
        case .matchLimit: self.init(code: .matchLimit, detail: "PCRE2 match limit exceeded")
        case .depthLimit: self.init(code: .depthLimit, detail: "PCRE2 depth limit exceeded")
        case .heapLimit: self.init(code: .depthLimit, detail: "PCRE2 heap limit exceeded")
        case .other: self.init(code: .internalError, detail: "PCRE2 error \(regexError.pcre2Code)")
        }
    }
}
