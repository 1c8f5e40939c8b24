import CPCRE2
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Process-wide count of matches retried with the interpreter after the JIT ran out of stack.
private let jitFallbackCounter = Atomic<Int>(0)
/// Process-wide count of matches that ended in a limit error (match, depth or heap limit).
private let limitErrorCounter = Atomic<Int>(0)

/// The result of matching a `Regex` against a subject.
public enum RegexMatchOutcome: Sendable, Equatable {
    case noMatch
    case match
    /// The match could not be decided (limit exceeded): never to be treated as a no-match.
    case error(RegexMatchError)
}

extension Regex {
    /// Returns whether the pattern matches anywhere in `subject`. Allocates nothing.
    public func matches(_ subject: UnsafeRawBufferPointer) -> RegexMatchOutcome {
        run(subject) { _, _ in }
    }

    /// Returns whether the pattern matches anywhere in `subject`. Allocates nothing.
    public func matches(_ subject: [UInt8]) -> RegexMatchOutcome {
        subject.withUnsafeBytes { matches($0) }
    }

    /// Matches and reports the byte ranges of group 0 (the whole match) and up to `maxGroups - 1` groups in
    /// `groups` (`nil` for a group that did not participate). `groups` is left empty unless the outcome is
    /// `.match`.
    public func firstMatch(in subject: [UInt8], maxGroups: Int = 10, groups: inout [Range<Int>?]) -> RegexMatchOutcome {
        groups.removeAll(keepingCapacity: true)
        return subject.withUnsafeBytes { buffer in
            run(buffer) { ovector, pairs in
                let count = min(maxGroups, pairs, captureCount + 1)
                for index in 0..<count {
                    let start = ovector[2 * index]
                    let end = ovector[2 * index + 1]
                    if start < 0 || end < start {
                        groups.append(nil)
                    } else {
                        groups.append(Int(start)..<Int(end))
                    }
                }
            }
        }
    }

    /// How many matches (process-wide, since start) fell back from the JIT to the interpreter because the JIT
    /// stack was exhausted. For metrics.
    public static var jitStackFallbackCount: Int { jitFallbackCounter.load(ordering: .relaxed) }

    /// How many matches (process-wide, since start) ended in a match-, depth- or heap-limit error. For metrics.
    public static var limitErrorCount: Int { limitErrorCounter.load(ordering: .relaxed) }

    /// Returns whether the subject is long enough to match at all (the cheap load-time prefilter).
    @inline(__always)
    public func couldMatch(length: Int) -> Bool { length >= minLength }

    /// Runs one match; on success calls `onMatch` with the ovector and the number of pairs set.
    private func run(
        _ subject: UnsafeRawBufferPointer,
        onMatch: (UnsafeMutablePointer<Int>, Int) -> Void
    ) -> RegexMatchOutcome {
        if subject.count < minLength { return .noMatch }
        if prefilterByte >= 0 {
            guard let base = subject.baseAddress, memchr(base, prefilterByte, subject.count) != nil else {
                return .noMatch
            }
        }
        guard let scratch = MatchScratch.current(jitStackMaxBytes: limits.jitStackMaxBytes) else {
            return .error(RegexMatchError(code: .other, pcre2Code: PCRE2_ERROR_NOMEMORY))
        }
        if scratch.appliedLimits != limits {
            pcre2_set_match_limit_8(scratch.matchContext, limits.matchLimit)
            pcre2_set_depth_limit_8(scratch.matchContext, limits.depthLimit)
            pcre2_set_heap_limit_8(scratch.matchContext, limits.heapLimitKiB)
            scratch.appliedLimits = limits
        }
        let base = subject.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? Regex.emptySubject
        // pcre2_jit_match skips pcre2_match's argument checks (the JIT code does the same matching).
        var rc =
            isJITCompiled
            ? pcre2_jit_match_8(code, base, subject.count, 0, 0, scratch.matchData, scratch.matchContext)
            : pcre2_match_8(code, base, subject.count, 0, 0, scratch.matchData, scratch.matchContext)
        if rc == PCRE2_ERROR_JIT_STACKLIMIT {
            // The JIT ran out of stack (deeply nested backtracking, e.g. CRS 920120 on long inputs):
            // the interpreter keeps its frames on the heap, bounded by the depth and heap limits.
            jitFallbackCounter.add(1, ordering: .relaxed)
            rc = pcre2_match_8(code, base, subject.count, 0, PCRE2_NO_JIT, scratch.matchData, scratch.matchContext)
        }
        if rc >= 0 {
            let pairs = rc == 0 ? Int(MatchScratch.ovectorPairs) : Int(rc)
            if let ovector = pcre2_get_ovector_pointer_8(scratch.matchData) { onMatch(ovector, pairs) }
            return .match
        }
        if rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT {
            limitErrorCounter.add(1, ordering: .relaxed)
        }
        switch rc {
        case PCRE2_ERROR_NOMATCH, PCRE2_ERROR_PARTIAL:
            return .noMatch
        case PCRE2_ERROR_MATCHLIMIT:
            return .error(RegexMatchError(code: .matchLimit, pcre2Code: rc))
        case PCRE2_ERROR_DEPTHLIMIT:
            return .error(RegexMatchError(code: .depthLimit, pcre2Code: rc))
        case PCRE2_ERROR_HEAPLIMIT:
            return .error(RegexMatchError(code: .heapLimit, pcre2Code: rc))
        default:
            return .error(RegexMatchError(code: .other, pcre2Code: rc))
        }
    }

    /// A valid pointer for empty subjects (PCRE2 10.42 rejects a NULL subject).
    nonisolated(unsafe) private static let emptySubject: UnsafePointer<UInt8> = {
        let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        pointer.initialize(to: 0)
        return UnsafePointer(pointer)
    }()
}
