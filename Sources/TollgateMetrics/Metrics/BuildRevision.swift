/// The source revision reported by `tollgate_build_info{revision}`.
///
/// SwiftPM has no way to stamp a value into a build without a plugin, so the revision is read once at
/// start-up from the environment variable `TOLLGATE_REVISION` (set it where the binary is built or
/// deployed, e.g. `TOLLGATE_REVISION=$(git rev-parse --short HEAD)`). It is a label value, so it is
/// bounded: 1 to 64 characters of `[0-9A-Za-z._+-]`; anything else (or nothing) reads `unknown`.
public enum BuildRevision {
    /// The environment variable read at start-up.
    public static let environmentVariable = "TOLLGATE_REVISION"
    /// The label value when no valid revision is given.
    public static let unknown = "unknown"

    /// The revision in `environment`, or ``unknown``.
    public static func from(environment: [String: String]) -> String {
        guard let value = environment[environmentVariable] else { return unknown }
        return isValid(value) ? value : unknown
    }

    /// True for 1 to 64 characters of `[0-9A-Za-z._+-]`.
    public static func isValid(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard (1...64).contains(bytes.count) else { return false }
        return bytes.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2E || b == 0x5F
                || b == 0x2B || b == 0x2D
        }
    }
}
