/// Decides which log fields carry secrets and masks them.
///
/// A field is secret when its name, or the last component of its dotted name, matches a configured name,
/// case-insensitively and with `_` treated as `-` (so `http.request.headers.X_Api_Key` matches `x-api-key`).
/// Secret values are replaced by ``mask``; they never reach a log sink.
public struct Redactor: Sendable {
    /// The replacement written instead of a secret value.
    public static let mask = "[redacted]"

    /// Field names that are always secret.
    public static let defaultFields: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "password", "secret", "token",
        "bearer-token", "api-key",
    ]

    let fields: Set<String>

    /// A redactor for the default fields plus `additionalFields` (e.g. from the configuration).
    public init(additionalFields: some Sequence<String> = [String]()) {
        fields = Redactor.defaultFields.union(additionalFields.map(Redactor.normalize))
    }

    /// True if a field named `name` (possibly dotted) must not be logged.
    public func isSecret(_ name: String) -> Bool {
        let normalized = Redactor.normalize(name)
        if fields.contains(normalized) { return true }
        if let last = normalized.split(separator: ".").last, fields.contains(String(last)) { return true }
        // Rule-engine variable names such as `request_headers:authorization`.
        let parts = normalized.split(separator: ":", maxSplits: 1)
        if parts.count == 2 {
            if fields.contains(String(parts[1])) { return true }
            // Every cookie value is a secret: `REQUEST_COOKIES:session`.
            if parts[0] == "request-cookies" { return true }
        }
        return false
    }

    /// `value`, or the mask if `name` is secret.
    public func redact(_ name: String, _ value: String) -> String {
        isSecret(name) ? Redactor.mask : value
    }

    static func normalize(_ name: String) -> String {
        String(name.lowercased().map { $0 == "_" ? "-" : $0 })
    }
}
