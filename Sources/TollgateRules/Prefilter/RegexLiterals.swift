/// Derives, at load, a set of literals that every match of a PCRE pattern must contain (at least one of them).
///
/// The result is a necessary condition, never a sufficient one: when no literal of the set occurs in a subject
/// (ASCII case-insensitively), the pattern cannot match it and PCRE2 need not run. Literals are lowercased
/// and compared case-insensitively, which only widens the condition (a caseful pattern is treated as caseless),
/// so the prefilter can never reject a subject PCRE2 would match. Zero-width assertions (anchors, `\b`,
/// lookarounds) are ignored, which also only widens it. Constructs the analysis does not model (extended mode,
/// recursion, conditionals, verbs, UTF mode) make it give up (`nil`): the rule then always runs PCRE2.
///
/// The analysis follows the classic prefilter construction: every node yields either the exact finite set of
/// strings it matches, or a set of literals one of which every match contains; concatenation extends exact
/// runs and keeps the most selective requirement, alternation unions requirements, and an optional or
/// repeated-from-zero node contributes nothing.
package enum RegexLiterals {
    /// Largest exact set kept while combining (beyond it a run is cut into a requirement).
    static let exactLimit = 256
    /// Longer literals are cut to this length (a substring of a required literal is still required).
    static let literalCap = 24
    /// Longest exact string kept while combining.
    static let exactLengthLimit = 64

    /// Most clauses kept per pattern (each costs the rule a bit).
    static let clauseLimit = 3
    /// Most choices of one clause per branch that an alternation tries.
    static let combinationLimit = 81

    /// The literals (lowercased, non-empty) one of which every match of `pattern` contains, or `nil` when no
    /// useful condition can be derived (the most selective clause of `requiredClauses`).
    package static func requiredLiterals(_ pattern: String) -> [[UInt8]]? {
        requiredClauses(pattern)?.first
    }

    /// Clauses that every match of `pattern` satisfies all of: each clause is a set of literals (lowercased,
    /// non-empty) one of which the match contains. Most selective first, at most `clauseLimit`; `nil` when no
    /// useful condition can be derived.
    package static func requiredClauses(_ pattern: String) -> [[[UInt8]]]? {
        var parser = Parser(Array(pattern.utf8))
        guard let info = parser.parseAll() else { return nil }
        var clauses = info.allClauses.filter { !$0.isEmpty && !$0.contains([]) }
        guard !clauses.isEmpty else { return nil }
        clauses.sort(by: moreSelective)
        var out: [[[UInt8]]] = []
        var seen = Set<Set<[UInt8]>>()
        for clause in clauses where out.count < clauseLimit {
            let cut = Set(clause.map { Array($0.prefix(literalCap)) })
            guard seen.insert(cut).inserted else { continue }
            out.append(cut.sorted { $0.lexicographicallyPrecedes($1) })
        }
        return out
    }

    /// What is known about the strings a node matches.
    struct Info {
        /// The exact (lowercased) strings the node matches, when finite and small; `nil` otherwise.
        var exact: Set<[UInt8]>?
        /// When `exact` is nil: clauses every match satisfies all of (each: one of its literals occurs).
        var clauses: [Set<[UInt8]>]
        /// When `exact` is nil: strings one of which every match starts with (nil when unknown).
        var prefixes: Set<[UInt8]>?

        static let anything = Info(exact: nil, clauses: [])
        static let empty = Info(exact: [[]], clauses: [])

        init(exact: Set<[UInt8]>?, clauses: [Set<[UInt8]>] = [], prefixes: Set<[UInt8]>? = nil) {
            self.exact = exact
            self.clauses = clauses
            self.prefixes = prefixes.flatMap { $0.isEmpty || $0.contains([]) ? nil : $0 }
        }

        /// Strings one of which every match starts with: the exact strings, or `prefixes`; nil when unknown
        /// or when the node can match the empty string.
        var starts: Set<[UInt8]>? {
            if let exact { return exact.isEmpty || exact.contains([]) ? nil : exact }
            return prefixes
        }

        /// Every clause, with the exact strings as one (unless one of them is empty).
        var allClauses: [Set<[UInt8]>] {
            if let exact { return exact.contains([]) ? [] : [exact] }
            return clauses
        }

    }

    /// Selectivity: the shortest literal's length (capped), so that `{"select"}` beats `{"s", "x"}`. A one-byte
    /// literal counts as two when it is a byte that ordinary text rarely holds (markup and shell punctuation,
    /// quotes, control bytes), so that `{"<", "\""}` beats `{"a", "<"}`.
    static func score(_ set: Set<[UInt8]>) -> Int {
        var shortest = Int.max
        for literal in set {
            shortest = min(shortest, literal.count == 1 ? singleByteWeight(literal[0]) : literal.count)
        }
        return min(shortest, 6) * 4 - (set.count > 64 ? 1 : 0)
    }

    /// 1 for the bytes most values contain (letters, digits, space and the punctuation of names, dates, paths
    /// and lists), 2 for the rest.
    static func singleByteWeight(_ byte: UInt8) -> Int {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: " "), UInt8(ascii: "."), UInt8(ascii: ","),
            UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "/"), UInt8(ascii: ":"):
            return 1
        default:
            return 2
        }
    }

    /// Orders clauses most selective first (then fewer literals first).
    static func moreSelective(_ a: Set<[UInt8]>, _ b: Set<[UInt8]>) -> Bool {
        let (sa, sb) = (score(a), score(b))
        return sa != sb ? sa > sb : a.count < b.count
    }

    static func concatenate(_ items: [Info]) -> Info {
        var clauses: [Set<[UInt8]>] = []
        var run: Set<[UInt8]> = [[]]
        var allExact = true
        func closeRun() {
            if !run.contains([]) { clauses.append(run) }
        }
        // What every match of the concatenation starts with: exact items extend it, the first other item
        // with known starts ends it.
        var starts: Set<[UInt8]> = [[]]
        for item in items {
            if let exact = item.exact, starts.count * exact.count <= exactLimit, let next = product(starts, exact) {
                starts = next
                continue
            }
            if let first = item.starts, starts.count * first.count <= exactLimit, let next = product(starts, first) {
                starts = next
            }
            break
        }
        for item in items {
            if let exact = item.exact {
                // Exact strings are never cut (a cut string followed by more text is no longer in the match):
                // a run that grows too long or too wide ends and becomes a clause instead.
                if run.count * exact.count <= exactLimit, let product = product(run, exact) {
                    run = product
                } else {
                    allExact = false
                    // Too many strings to go on exactly: the run followed by how the item starts (cut short
                    // enough) is still a required literal, and a longer one than the run.
                    if !run.contains([]), !exact.contains([]), let joined = joined(run, exact) {
                        clauses.append(joined)
                    } else {
                        closeRun()
                    }
                    run = exact
                }
            } else {
                allExact = false
                // The run followed by how the next item starts is a longer required literal than the run.
                if !run.contains([]), let first = item.starts, let joined = joined(run, first) {
                    clauses.append(joined)
                } else {
                    closeRun()
                }
                clauses += item.clauses
                run = [[]]
            }
        }
        if allExact { return Info(exact: run) }
        closeRun()
        return Info(exact: nil, clauses: clauses, prefixes: starts)
    }

    /// Every string of `run` followed by the first bytes of a string of `starts`: all of each when the product
    /// is small enough, else each cut to the longest length that keeps it within `exactLimit` (a match holds a
    /// run string immediately followed by a whole start, so also by any of its prefixes). Nil when even one
    /// byte of each start makes too many strings. CRS 930100's separators followed by its dot encodings are
    /// 35 x 28 strings; cut to one byte, `/.`, `/%`, `\.` and the like, where `/` alone was the clause.
    static func joined(_ run: Set<[UInt8]>, _ starts: Set<[UInt8]>) -> Set<[UInt8]>? {
        if run.count * starts.count <= exactLimit, let whole = product(run, starts) { return whole }
        var length = (starts.map(\.count).max() ?? 0) - 1
        while length >= 1 {
            let cut = Set(starts.map { Array($0.prefix(length)) })
            if run.count * cut.count <= exactLimit, let joined = product(run, cut) { return joined }
            length -= 1
        }
        return nil
    }

    /// Every `left + right`, or nil when a string would exceed the exact length limit.
    static func product(_ left: Set<[UInt8]>, _ right: Set<[UInt8]>) -> Set<[UInt8]>? {
        var out = Set<[UInt8]>()
        for l in left {
            for r in right {
                guard l.count + r.count <= exactLengthLimit else { return nil }
                out.insert(l + r)
            }
        }
        return out
    }

    static func alternate(_ branches: [Info]) -> Info {
        var exact: Set<[UInt8]>? = []
        for branch in branches {
            if let e = branch.exact, let current = exact, current.count + e.count <= exactLimit {
                exact = current.union(e)
            } else {
                exact = nil
                break
            }
        }
        if let exact { return Info(exact: exact) }
        var starts: Set<[UInt8]>? = []
        for branch in branches {
            if let s = branch.starts, let current = starts, current.count + s.count <= exactLimit {
                starts = current.union(s)
            } else {
                starts = nil
            }
        }
        // Any choice of one clause per branch, united, is a clause of the alternation. When the choices are
        // few, every one is tried and the most selective kept (`<` from one branch and `<`, `"` or `'` from the
        // other make `{<, ", '}`, where pairing by rank made `{<, a, b, ...}`); otherwise the k-th clause takes
        // each branch's k-th most selective (or its last), so branches with several clauses keep them.
        var lists: [[Set<[UInt8]>]] = []
        var combinations = 1
        for branch in branches {
            let sorted = branch.allClauses.filter { !$0.contains([]) }.sorted(by: moreSelective)
            guard !sorted.isEmpty else { return Info(exact: nil, clauses: [], prefixes: starts) }
            lists.append(Array(sorted.prefix(4)))
            combinations = combinations > Self.combinationLimit ? combinations : combinations * min(sorted.count, 4)
        }
        var candidates: [Set<[UInt8]>] = []
        for k in 0..<clauseLimit {
            var union = Set<[UInt8]>()
            for list in lists { union.formUnion(list[min(k, list.count - 1)]) }
            if !candidates.contains(union) { candidates.append(union) }
        }
        if combinations > 1 && combinations <= Self.combinationLimit {
            var choice = Array(repeating: 0, count: lists.count)
            while true {
                var union = Set<[UInt8]>()
                for (list, index) in zip(lists, choice) { union.formUnion(list[index]) }
                if !candidates.contains(union) { candidates.append(union) }
                // Next choice (odometer order).
                var position = 0
                while position < lists.count {
                    choice[position] += 1
                    if choice[position] < lists[position].count { break }
                    choice[position] = 0
                    position += 1
                }
                if position == lists.count { break }
            }
        }
        candidates.sort(by: moreSelective)
        // Keep the most selective; a clause that contains a kept one is implied by it and adds nothing.
        var clauses: [Set<[UInt8]>] = []
        for candidate in candidates where clauses.count < clauseLimit {
            if clauses.contains(where: { $0.isSubset(of: candidate) }) { continue }
            clauses.append(candidate)
        }
        return Info(exact: nil, clauses: clauses, prefixes: starts)
    }

    static func repeated(_ item: Info, min: Int, max: Int?) -> Info {
        if min == 0 {
            if max == 1, let exact = item.exact, exact.count < exactLimit {
                return Info(exact: exact.union([[]]))
            }
            return .anything
        }
        if let max, max <= 4, let exact = item.exact {
            // x{2,3}: the union of x repeated 2 and 3 times, while small.
            var union = Set<[UInt8]>()
            for count in min...max {
                let repeated = concatenate(Array(repeating: Info(exact: exact), count: count))
                guard let strings = repeated.exact, union.count + strings.count <= exactLimit else {
                    return Info(exact: nil, clauses: item.allClauses, prefixes: item.starts)
                }
                union.formUnion(strings)
            }
            return Info(exact: union)
        }
        if let exact = item.exact, min >= 2, min <= 4 {
            // x{2,}: x repeated twice is required (and starts every match).
            let required = concatenate(Array(repeating: Info(exact: exact), count: min))
            if let strings = required.exact, !strings.contains([]) {
                return Info(exact: nil, clauses: [strings], prefixes: strings)
            }
        }
        return Info(exact: nil, clauses: item.allClauses, prefixes: item.starts)
    }

    /// A recursive-descent reader of the PCRE2 syntax CRS uses; `nil` from any method means "give up".
    struct Parser {
        let bytes: [UInt8]
        var index = 0
        var depth = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        mutating func parseAll() -> Info? {
            // Leading option-setting verbs such as (*UTF) change how bytes are read: give up.
            if bytes.starts(with: Array("(*".utf8)) { return nil }
            guard let info = parseAlternation() else { return nil }
            return index == bytes.count ? info : nil
        }

        var atEnd: Bool { index >= bytes.count }
        func peek(_ offset: Int = 0) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }

        mutating func parseAlternation() -> Info? {
            depth += 1
            defer { depth -= 1 }
            if depth > 200 { return nil }
            var branches: [Info] = []
            guard let first = parseSequence() else { return nil }
            branches.append(first)
            while peek() == UInt8(ascii: "|") {
                index += 1
                guard let next = parseSequence() else { return nil }
                branches.append(next)
            }
            return branches.count == 1 ? branches[0] : alternate(branches)
        }

        mutating func parseSequence() -> Info? {
            var items: [Info] = []
            while let byte = peek(), byte != UInt8(ascii: "|"), byte != UInt8(ascii: ")") {
                guard var atom = parseAtom() else { return nil }
                guard let quantified = parseQuantifier(&atom) else { return nil }
                items.append(quantified)
            }
            if items.isEmpty { return .empty }
            return items.count == 1 ? items[0] : concatenate(items)
        }

        /// Applies a following quantifier (if any) to `atom`.
        mutating func parseQuantifier(_ atom: inout Info) -> Info? {
            guard let byte = peek() else { return atom }
            var min = 1
            var max: Int? = 1
            switch byte {
            case UInt8(ascii: "*"):
                min = 0
                max = nil
                index += 1
            case UInt8(ascii: "+"):
                max = nil
                index += 1
            case UInt8(ascii: "?"):
                min = 0
                index += 1
            case UInt8(ascii: "{"):
                guard let (lower, upper, length) = braceQuantifier() else { return atom }
                min = lower
                max = upper
                index += length
            default:
                return atom
            }
            // Lazy or possessive suffix.
            if let next = peek(), next == UInt8(ascii: "?") || next == UInt8(ascii: "+") { index += 1 }
            // A quantifier directly after a quantifier is a syntax error in PCRE2; treat as unknown.
            if let next = peek(), next == UInt8(ascii: "*") || next == UInt8(ascii: "{") && braceQuantifier() != nil {
                return nil
            }
            return repeated(atom, min: min, max: max)
        }

        /// `{n}`, `{n,}` or `{n,m}` at `index` (PCRE2 10.42: anything else is a literal brace).
        func braceQuantifier() -> (Int, Int?, Int)? {
            var i = index + 1
            var lower = 0
            var digits = 0
            while i < bytes.count, let d = digit(bytes[i]) {
                lower = lower &* 10 &+ d
                digits += 1
                i += 1
            }
            guard digits > 0, digits < 6, i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: "}") { return (lower, lower, i - index + 1) }
            guard bytes[i] == UInt8(ascii: ",") else { return nil }
            i += 1
            var upper = 0
            var upperDigits = 0
            while i < bytes.count, let d = digit(bytes[i]) {
                upper = upper &* 10 &+ d
                upperDigits += 1
                i += 1
            }
            guard i < bytes.count, bytes[i] == UInt8(ascii: "}"), upperDigits < 6 else { return nil }
            return (lower, upperDigits == 0 ? nil : upper, i - index + 1)
        }

        func digit(_ byte: UInt8) -> Int? {
            byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
        }

        static func literal(_ byte: UInt8) -> Info { Info(exact: [[ByteSearch.lower(byte)]]) }

        /// What `\s` matches without UTF/UCP: space, tab, LF, VT, FF, CR.
        static let whiteSpaceBytes: [UInt8] = [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D]
        static let digitBytes: [UInt8] = Array(UInt8(ascii: "0")...UInt8(ascii: "9"))

        mutating func parseAtom() -> Info? {
            guard let byte = peek() else { return nil }
            switch byte {
            case UInt8(ascii: "("):
                return parseGroup()
            case UInt8(ascii: "["):
                return parseClass()
            case UInt8(ascii: "."):
                index += 1
                return .anything
            case UInt8(ascii: "^"), UInt8(ascii: "$"):
                index += 1
                return .empty
            case UInt8(ascii: "\\"):
                return parseEscape()
            case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
                return nil
            default:
                index += 1
                return Self.literal(byte)
            }
        }

        mutating func parseGroup() -> Info? {
            index += 1  // "("
            var zeroWidth = false
            if peek() == UInt8(ascii: "*") { return nil }  // verbs
            if peek() == UInt8(ascii: "?") {
                index += 1
                guard let kind = peek() else { return nil }
                switch kind {
                case UInt8(ascii: ":"), UInt8(ascii: ">"), UInt8(ascii: "|"):
                    index += 1
                case UInt8(ascii: "="), UInt8(ascii: "!"):
                    index += 1
                    zeroWidth = true
                case UInt8(ascii: "<"):
                    if peek(1) == UInt8(ascii: "=") || peek(1) == UInt8(ascii: "!") {
                        index += 2
                        zeroWidth = true
                    } else {
                        guard skipName(close: UInt8(ascii: ">"), from: index + 1) else { return nil }
                    }
                case UInt8(ascii: "P"):
                    guard peek(1) == UInt8(ascii: "<"), skipName(close: UInt8(ascii: ">"), from: index + 2) else {
                        return nil
                    }
                case UInt8(ascii: "'"):
                    guard skipName(close: UInt8(ascii: "'"), from: index + 1) else { return nil }
                case UInt8(ascii: "#"):
                    while let b = peek(), b != UInt8(ascii: ")") { index += 1 }
                    guard !atEnd else { return nil }
                    index += 1
                    return .empty
                default:
                    // Option settings: (?i) (?-i) (?i:...) with letters i m n s J U; x (extended) gives up.
                    var sawOption = false
                    while let b = peek(), b != UInt8(ascii: ")"), b != UInt8(ascii: ":") {
                        guard "imnsJU-^".utf8.contains(b) else { return nil }
                        sawOption = true
                        index += 1
                    }
                    guard sawOption, let end = peek() else { return nil }
                    index += 1
                    if end == UInt8(ascii: ")") { return .empty }
                }
            }
            guard let inner = parseAlternation(), peek() == UInt8(ascii: ")") else { return nil }
            index += 1
            return zeroWidth ? .empty : inner
        }

        /// Skips a group name up to `close`, leaving `index` after it.
        mutating func skipName(close: UInt8, from start: Int) -> Bool {
            var i = start
            while i < bytes.count, bytes[i] != close {
                let b = bytes[i]
                guard
                    b == UInt8(ascii: "_")
                        || ByteSearch.lower(b) >= UInt8(ascii: "a") && ByteSearch.lower(b) <= UInt8(ascii: "z")
                        || digit(b) != nil
                else { return false }
                i += 1
            }
            guard i < bytes.count else { return false }
            index = i + 1
            return true
        }

        /// A class `[...]`: small sets of bytes stay exact (after lowercasing); larger or negated ones are unknown.
        mutating func parseClass() -> Info? {
            index += 1
            var negated = false
            if peek() == UInt8(ascii: "^") {
                negated = true
                index += 1
            }
            var members = Set<UInt8>()
            var large = false
            var first = true
            while true {
                guard let byte = peek() else { return nil }
                if byte == UInt8(ascii: "]") && !first {
                    index += 1
                    break
                }
                first = false
                var low: UInt8
                if byte == UInt8(ascii: "["), let kind = peek(1),
                    kind == UInt8(ascii: ":") || kind == UInt8(ascii: "=") || kind == UInt8(ascii: ".")
                {
                    // POSIX class [:alpha:]: find its end.
                    var i = index + 2
                    while i + 1 < bytes.count, !(bytes[i] == kind && bytes[i + 1] == UInt8(ascii: "]")) { i += 1 }
                    guard i + 1 < bytes.count else { return nil }
                    index = i + 2
                    large = true
                    continue
                } else if byte == UInt8(ascii: "\\"), let kind = peek(1),
                    kind == UInt8(ascii: "s") || kind == UInt8(ascii: "d")
                {
                    index += 2
                    for b in kind == UInt8(ascii: "s") ? Self.whiteSpaceBytes : Self.digitBytes { members.insert(b) }
                    continue
                } else if byte == UInt8(ascii: "\\") {
                    guard let escaped = classEscape() else { return nil }
                    guard let single = escaped else {
                        large = true
                        continue
                    }
                    low = single
                } else {
                    index += 1
                    low = byte
                }
                // Range?
                if peek() == UInt8(ascii: "-"), let after = peek(1), after != UInt8(ascii: "]") {
                    index += 1
                    var high: UInt8
                    if after == UInt8(ascii: "\\") {
                        guard let escaped = classEscape(), let single = escaped else { return nil }
                        high = single
                    } else if after == UInt8(ascii: "[") {
                        return nil
                    } else {
                        index += 1
                        high = after
                    }
                    guard low <= high else { return nil }
                    if Int(high) - Int(low) > 16 {
                        large = true
                    } else {
                        for b in low...high { members.insert(ByteSearch.lower(b)) }
                    }
                    continue
                }
                members.insert(ByteSearch.lower(low))
            }
            if negated || large || members.count > 32 || members.isEmpty { return .anything }
            return Info(exact: Set(members.map { [$0] }))
        }

        /// An escape inside a class: `.some(byte)` for one byte, `.some(nil)` for a multi-byte class such as
        /// `\d`, `nil` to give up.
        mutating func classEscape() -> UInt8?? {
            index += 1  // "\"
            guard let byte = peek() else { return nil }
            if byte == UInt8(ascii: "b") {
                index += 1
                return .some(0x08)
            }
            if let single = simpleEscape() { return .some(single) }
            if "dDwWsShHvVpPNR".utf8.contains(byte) {
                index += 1
                if byte == UInt8(ascii: "p") || byte == UInt8(ascii: "P") { guard skipProperty() else { return nil } }
                return .some(nil)
            }
            return nil
        }

        /// Escapes that stand for one byte (`index` at the byte after the backslash); advances past them.
        /// `\n \r \t \f \e \a`: the byte each stands for.
        static let controlEscapes: [UInt8: UInt8] = [
            UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09, UInt8(ascii: "f"): 0x0C,
            UInt8(ascii: "e"): 0x1B, UInt8(ascii: "a"): 0x07,
        ]

        mutating func simpleEscape() -> UInt8? {
            guard let byte = peek() else { return nil }
            if let control = Self.controlEscapes[byte] {
                index += 1
                return control
            }
            switch byte {
            case UInt8(ascii: "x"):
                index += 1
                if peek() == UInt8(ascii: "{") {
                    var i = index + 1
                    var value = 0
                    while i < bytes.count, let h = ByteSearch.hexValue(bytes[i]) {
                        value = value * 16 + Int(h)
                        guard value <= 0xFF else { return nil }
                        i += 1
                    }
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "}"), i > index + 1 else { return nil }
                    index = i + 1
                    return UInt8(value)
                }
                var value = 0
                var count = 0
                while count < 2, let b = peek(), let h = ByteSearch.hexValue(b) {
                    value = value * 16 + Int(h)
                    index += 1
                    count += 1
                }
                return UInt8(value)
            case UInt8(ascii: "0"):
                // Octal: \0 followed by up to two more octal digits.
                index += 1
                var value = 0
                var count = 0
                while count < 2, let b = peek(), b >= UInt8(ascii: "0"), b <= UInt8(ascii: "7") {
                    value = value * 8 + Int(b - UInt8(ascii: "0"))
                    index += 1
                    count += 1
                }
                return UInt8(value)
            case UInt8(ascii: "c"):
                guard let next = peek(1), next < 0x80 else { return nil }
                index += 2
                let upper = next >= UInt8(ascii: "a") && next <= UInt8(ascii: "z") ? next - 32 : next
                return upper ^ 0x40
            default:
                // Any other non-alphanumeric byte stands for itself.
                let isAlnum =
                    (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || (ByteSearch.lower(byte) >= UInt8(ascii: "a") && ByteSearch.lower(byte) <= UInt8(ascii: "z"))
                if !isAlnum {
                    index += 1
                    return byte
                }
                return nil
            }
        }

        /// Skips `{Name}` or a single letter after `\p` / `\P`.
        mutating func skipProperty() -> Bool {
            if peek() == UInt8(ascii: "{") {
                while let b = peek(), b != UInt8(ascii: "}") { index += 1 }
                guard !atEnd else { return false }
                index += 1
                return true
            }
            guard !atEnd else { return false }
            index += 1
            return true
        }

        mutating func parseEscape() -> Info? {
            index += 1  // "\"
            guard let byte = peek() else { return nil }
            switch byte {
            case UInt8(ascii: "b"), UInt8(ascii: "B"), UInt8(ascii: "A"), UInt8(ascii: "Z"), UInt8(ascii: "z"),
                UInt8(ascii: "G"), UInt8(ascii: "K"):
                index += 1
                return .empty
            case UInt8(ascii: "s"):
                // Not in UTF/UCP mode (patterns are bytes): \s is exactly the six ASCII white-space bytes and \d
                // the ten digits, so `or\s+1` still requires "or " (or another white-space byte) as a literal.
                index += 1
                return Info(exact: Set(Self.whiteSpaceBytes.map { [$0] }))
            case UInt8(ascii: "d"):
                index += 1
                return Info(exact: Set(Self.digitBytes.map { [$0] }))
            case UInt8(ascii: "D"), UInt8(ascii: "w"), UInt8(ascii: "W"),
                UInt8(ascii: "S"), UInt8(ascii: "h"), UInt8(ascii: "H"), UInt8(ascii: "v"), UInt8(ascii: "V"),
                UInt8(ascii: "N"), UInt8(ascii: "R"), UInt8(ascii: "X"), UInt8(ascii: "C"):
                index += 1
                return .anything
            case UInt8(ascii: "p"), UInt8(ascii: "P"):
                index += 1
                return skipProperty() ? .anything : nil
            case UInt8(ascii: "Q"):
                index += 1
                var items: [Info] = []
                while !atEnd {
                    if peek() == UInt8(ascii: "\\") && peek(1) == UInt8(ascii: "E") {
                        index += 2
                        break
                    }
                    items.append(Self.literal(bytes[index]))
                    index += 1
                }
                return items.isEmpty ? .empty : concatenate(items)
            case UInt8(ascii: "E"):
                index += 1
                return .empty
            case UInt8(ascii: "g"), UInt8(ascii: "k"):
                // Back references: they match text seen before; no condition of their own.
                index += 1
                guard let open = peek() else { return nil }
                let close: UInt8
                switch open {
                case UInt8(ascii: "{"): close = UInt8(ascii: "}")
                case UInt8(ascii: "<"): close = UInt8(ascii: ">")
                case UInt8(ascii: "'"): close = UInt8(ascii: "'")
                default:
                    guard byte == UInt8(ascii: "g") else { return nil }
                    if peek() == UInt8(ascii: "-") { index += 1 }
                    var digits = 0
                    while let b = peek(), digit(b) != nil {
                        index += 1
                        digits += 1
                    }
                    return digits > 0 ? .anything : nil
                }
                index += 1
                while let b = peek(), b != close { index += 1 }
                guard !atEnd else { return nil }
                index += 1
                return .anything
            case UInt8(ascii: "1")...UInt8(ascii: "9"):
                // A back reference (or an octal escape): unknown content.
                while let b = peek(), digit(b) != nil { index += 1 }
                return .anything
            default:
                guard let single = simpleEscape() else { return nil }
                return Self.literal(single)
            }
        }
    }
}
