import CPCRE2

/// A PCRE2 pattern compiled (and JIT-compiled when the platform supports it) once at load time.
///
/// Immutable and safe to share across threads: PCRE2 compiled code is read-only while matching, and each
/// thread matches with its own match data and JIT stack (`MatchScratch`), so matching allocates nothing.
public final class Regex: @unchecked Sendable {
    /// The pattern text as given.
    public let pattern: String
    public let options: RegexOptions
    public let limits: RegexLimits
    /// Number of capturing groups in the pattern (group 0, the whole match, not counted).
    public let captureCount: Int
    /// The shortest subject that can match (PCRE2_INFO_MINLENGTH); shorter subjects are rejected without
    /// calling PCRE2. In bytes when UTF mode is off.
    public let minLength: Int
    /// A byte every match must start with, if PCRE2 found one (PCRE2_INFO_FIRSTCODEUNIT).
    public let firstByte: UInt8?
    /// A byte every match must contain, if PCRE2 found one (PCRE2_INFO_LASTCODEUNIT).
    public let requiredByte: UInt8?
    /// True when JIT compilation succeeded.
    public let isJITCompiled: Bool
    /// An ASCII non-letter byte every match contains (`requiredByte`, else `firstByte`): a subject without it
    /// is rejected with one `memchr` instead of a PCRE2 call.
    let prefilterByte: Int32

    let code: OpaquePointer

    /// Compiles `pattern`.
    /// - Throws: `RegexCompileError` with PCRE2's message and the offset of the error.
    public convenience init(
        _ pattern: String,
        options: RegexOptions = .modSecurityDefault,
        limits: RegexLimits = .default
    ) throws(RegexCompileError) {
        try self.init(bytes: Array(pattern.utf8), options: options, limits: limits)
    }

    /// Compiles a pattern given as bytes (SecLang files are bytes; patterns need not be UTF-8).
    public init(bytes: [UInt8], options: RegexOptions = .modSecurityDefault, limits: RegexLimits = .default)
        throws(RegexCompileError)
    {
        self.pattern = String(decoding: bytes, as: UTF8.self)
        self.options = options
        self.limits = limits
        var flags: UInt32 = 0
        if options.contains(.caseless) { flags |= PCRE2_CASELESS }
        if options.contains(.dotAll) { flags |= PCRE2_DOTALL }
        if options.contains(.multiline) { flags |= PCRE2_MULTILINE }
        if options.contains(.dollarEndOnly) { flags |= PCRE2_DOLLAR_ENDONLY }
        if options.contains(.utf) { flags |= PCRE2_UTF | PCRE2_MATCH_INVALID_UTF }
        var errorCode: Int32 = 0
        var errorOffset: Int = 0
        let compiled: OpaquePointer? = bytes.withUnsafeBufferPointer { buffer in
            let empty: [UInt8] = [0]
            return empty.withUnsafeBufferPointer { fallback in
                pcre2_compile_8(
                    buffer.baseAddress ?? fallback.baseAddress, buffer.count, flags, &errorCode, &errorOffset, nil)
            }
        }
        guard let compiled else {
            throw RegexCompileError(
                code: errorCode, message: Regex.errorMessage(errorCode), offset: errorOffset, pattern: pattern)
        }
        code = compiled
        isJITCompiled = pcre2_jit_compile_8(compiled, PCRE2_JIT_COMPLETE) == 0

        var captures: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &captures)
        captureCount = Int(captures)
        var minimum: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_MINLENGTH), &minimum)
        minLength = Int(minimum)
        // Case-folded first/required units are reported as one case only: keep them only for non-letters or
        // caseful patterns, so the prefilter can never reject a subject PCRE2 would match.
        var firstType: UInt32 = 0
        var firstUnit: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_FIRSTCODETYPE), &firstType)
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_FIRSTCODEUNIT), &firstUnit)
        firstByte = Regex.prefilterByte(type: firstType, unit: firstUnit, caseless: options.contains(.caseless))
        var lastType: UInt32 = 0
        var lastUnit: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_LASTCODETYPE), &lastType)
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_LASTCODEUNIT), &lastUnit)
        requiredByte = Regex.prefilterByte(type: lastType, unit: lastUnit, caseless: options.contains(.caseless))
        // Only ASCII: in UTF mode a caseless multi-byte character can end in different bytes.
        if let byte = requiredByte ?? firstByte, byte < 0x80 {
            prefilterByte = Int32(byte)
        } else {
            prefilterByte = -1
        }
    }

    deinit {
        pcre2_code_free_8(code)
    }

    private static func prefilterByte(type: UInt32, unit: UInt32, caseless: Bool) -> UInt8? {
        guard type == 1, unit < 256 else { return nil }
        let byte = UInt8(unit)
        let isLetter = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
        // Inline (?i) can make a letter caseless even without the option: never trust letters.
        if isLetter { return nil }
        _ = caseless
        return byte
    }

    static func errorMessage(_ code: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = buffer.withUnsafeMutableBufferPointer { pointer in
            pcre2_get_error_message_8(code, pointer.baseAddress, pointer.count)
        }
        guard length > 0 else { return "PCRE2 error \(code)" }
        return String(decoding: buffer[0..<Int(length)], as: UTF8.self)
    }
}
