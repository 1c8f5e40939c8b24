#if canImport(CMimalloc)
    import CMimalloc
#endif

/// The memory allocator the executable runs on. On Linux the executable links mimalloc, which replaces the C
/// library's `malloc` for the whole process (the Swift runtime allocates through it): the engine allocates
/// small arrays per request, and with CRS loaded glibc's allocator took 6-7 % of the proxy's CPU (measured
/// through the proxy with CRS PL1: 15,065 to 16,823 benign GETs a second, 13,166 to 14,000 on values that
/// differ per request). The libraries and the tests keep the system allocator.
enum Allocator {
    static var name: String {
        #if canImport(CMimalloc)
            let version = Int(mi_version())
            return "mimalloc \(version / 100).\(version / 10 % 10).\(version % 10)"
        #else
            return "system malloc"
        #endif
    }
}
