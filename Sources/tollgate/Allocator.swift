#if canImport(CMimalloc)
    import CMimalloc
#endif

/// The memory allocator the executable runs on. On Linux the executable links mimalloc, which replaces the C
/// library's `malloc` for the whole process (the Swift runtime allocates through it): the engine allocates
/// small arrays per request, and with CRS loaded glibc's allocator took 6-7 % of the proxy's CPU (measured
/// through the proxy with CRS PL1: 15,065 to 16,823 benign GETs a second, 13,166 to 14,000 on values that
/// differ per request). The libraries and the tests keep the system allocator.
enum Allocator {
    /// Milliseconds mimalloc waits before it returns freed pages to the system. Its default (25 ms) never comes
    /// under steady load, where pages keep being freed and reused: resident memory of the `recommended`
    /// profile after the benchmark's 8 KiB POSTs went from 46 MiB (glibc) to 58-62 MiB. At 1 ms it stays at
    /// 49-54 MiB and keeps most of the speed; at 0 every free returns pages at once (45-47 MiB, half the gain).
    /// `MIMALLOC_DECOMMIT_DELAY` in the environment overrides it.
    static let decommitDelayMilliseconds = 1

    /// Applies the process's allocator settings; call once at start, before the proxy runs.
    static func configure() {
        #if canImport(CMimalloc)
            mi_option_set_default(mi_option_decommit_delay, decommitDelayMilliseconds)
        #endif
    }

    static var name: String {
        #if canImport(CMimalloc)
            let version = Int(mi_version())
            return "mimalloc \(version / 100).\(version / 10 % 10).\(version % 10)"
        #else
            return "system malloc"
        #endif
    }
}
