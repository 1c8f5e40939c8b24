import CPCRE2

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Per-thread PCRE2 state: match data, match context and JIT stack, created once per thread and reused by
/// every match on that thread, so a match performs no allocation.
final class MatchScratch {
    /// Output vector pairs kept per match: enough for group 0 plus the 9 groups `capture` keeps, with room.
    static let ovectorPairs: UInt32 = 32

    let matchData: OpaquePointer
    let matchContext: OpaquePointer
    let jitStack: OpaquePointer?
    let jitStackMaxBytes: Int
    /// The limits last set on `matchContext` (set again only when a regex with other limits matches).
    var appliedLimits: RegexLimits?

    private init?(jitStackMaxBytes: Int) {
        guard let data = pcre2_match_data_create_8(Self.ovectorPairs, nil) else { return nil }
        guard let context = pcre2_match_context_create_8(nil) else {
            pcre2_match_data_free_8(data)
            return nil
        }
        matchData = data
        matchContext = context
        self.jitStackMaxBytes = jitStackMaxBytes
        jitStack = pcre2_jit_stack_create_8(32 * 1024, max(32 * 1024, jitStackMaxBytes), nil)
        if let jitStack { pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(jitStack)) }
    }

    deinit {
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
        pcre2_match_context_free_8(matchContext)
        pcre2_match_data_free_8(matchData)
    }

    /// The calling thread's scratch, created on first use (and recreated if a different JIT stack size is asked).
    static func current(jitStackMaxBytes: Int) -> MatchScratch? {
        let key = scratchKey
        if let raw = pthread_getspecific(key) {
            let existing = Unmanaged<MatchScratch>.fromOpaque(raw).takeUnretainedValue()
            if existing.jitStackMaxBytes == jitStackMaxBytes { return existing }
            Unmanaged<MatchScratch>.fromOpaque(raw).release()
            pthread_setspecific(key, nil)
        }
        guard let fresh = MatchScratch(jitStackMaxBytes: jitStackMaxBytes) else { return nil }
        pthread_setspecific(key, Unmanaged.passRetained(fresh).toOpaque())
        return fresh
    }
}

/// The pthread key of the per-thread `MatchScratch`; its destructor releases the scratch at thread exit.
private let scratchKey: pthread_key_t = {
    var key = pthread_key_t()
    let rc = pthread_key_create(&key) { raw in
        guard let raw else { return }
        Unmanaged<MatchScratch>.fromOpaque(raw).release()
    }
    precondition(rc == 0, "pthread_key_create failed: \(rc)")
    return key
}()
