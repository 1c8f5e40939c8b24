#if canImport(Glibc)
    import Glibc
#endif

/// Resident set size of this process in bytes, from `/proc/self/statm` (0 where unavailable).
/// Tests run in parallel in one process, so deltas are approximate; used for reporting.
enum MemoryProbe {
    static func residentBytes() -> Int {
        #if canImport(Glibc)
            guard let file = fopen("/proc/self/statm", "r") else { return 0 }
            defer { fclose(file) }
            var size = 0
            var resident = 0
            guard
                withUnsafeMutablePointer(
                    to: &size,
                    { s in
                        withUnsafeMutablePointer(to: &resident) { r in
                            withVaList([s, r]) { vfscanf(file, "%ld %ld", $0) }
                        }
                    }) == 2
            else { return 0 }
            return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
        #else
            return 0
        #endif
    }
}
