/// Compile options for a `Regex`.
///
/// `@rx` uses `.modSecurityDefault` (`dotAll` + `dollarEndOnly`), the flags of ModSecurity v2, the reference
/// engine CRS is written for (libmodsecurity v3 adds `multiline`, which CRS considers a bug:
/// coreruleset/coreruleset#3277). UTF mode is off: patterns and subjects are bytes.
public struct RegexOptions: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `(?i)`: ASCII case-insensitive matching.
    public static let caseless = RegexOptions(rawValue: 1 << 0)
    /// `(?s)`: `.` also matches newlines.
    public static let dotAll = RegexOptions(rawValue: 1 << 1)
    /// `(?m)`: `^` and `$` match at line boundaries.
    public static let multiline = RegexOptions(rawValue: 1 << 2)
    /// `$` matches only at the very end of the subject (not before a final newline).
    public static let dollarEndOnly = RegexOptions(rawValue: 1 << 3)
    /// Treat pattern and subject as UTF-8 (invalid subjects are matched in PCRE2's invalid-UTF mode).
    public static let utf = RegexOptions(rawValue: 1 << 4)

    /// The flags ModSecurity v2 compiles `@rx` with: `dotAll` and `dollarEndOnly`.
    public static let modSecurityDefault: RegexOptions = [.dotAll, .dollarEndOnly]
}

/// Resource limits applied to every match of a `Regex`.
///
/// Exceeding a limit yields `RegexMatchError`, never a silent no-match.
public struct RegexLimits: Sendable, Hashable {
    /// Maximum number of internal match-function calls (PCRE2 `match_limit`), default 1,000,000
    /// (ModSecurity recommends `SecPcreMatchLimit` in the same order; PCRE2's own default is 10,000,000).
    public var matchLimit: UInt32
    /// Maximum backtracking depth of the interpreter (PCRE2 `depth_limit`), default 100,000 frames.
    /// The JIT ignores it; it bounds the interpreter fallback (about 10-20 MB of frames per thread at most).
    public var depthLimit: UInt32
    /// Maximum heap the interpreter may use for backtracking frames, in KiB (PCRE2 `heap_limit`), default
    /// 32,768 (32 MiB; PCRE2's own default is 20 GB).
    public var heapLimitKiB: UInt32
    /// Maximum size in bytes of the per-thread JIT stack, default 1 MiB. When the JIT exhausts it the match is
    /// retried with the interpreter.
    public var jitStackMaxBytes: Int

    public init(
        matchLimit: UInt32 = 1_000_000, depthLimit: UInt32 = 100_000, heapLimitKiB: UInt32 = 32_768,
        jitStackMaxBytes: Int = 1 << 20
    ) {
        self.matchLimit = matchLimit
        self.depthLimit = depthLimit
        self.heapLimitKiB = heapLimitKiB
        self.jitStackMaxBytes = jitStackMaxBytes
    }

    public static let `default` = RegexLimits()
}
