/// The release version printed by `tollgate --version`.
enum TollgateVersion {
    static let current = "0.1.0"
}
