import Foundation
import TollgateRules

/// Helpers shared by the engine tests.
enum TestSupport {
    /// A fresh temporary directory for fixture files.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "tollgate-rules-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    static func engine(_ rules: String, mode: RulesMode = .block) throws -> Engine {
        Engine(ruleSet: try RuleSetLoader.ruleSet(text: rules), mode: mode)
    }

    /// Runs a request through phases 1, 2 and 5 and returns the transaction.
    @discardableResult
    static func run(
        _ engine: Engine, method: String = "GET", uri: String = "/",
        headers: [(String, String)] = [("Host", "localhost")],
        body: String = ""
    ) -> Transaction {
        let request = RequestInput(method: method, target: uri, headers: headers.map { HeaderField($0.0, $0.1) })
        let tx = engine.transaction(for: request)
        _ = tx.processRequestHeaders()
        _ = tx.processRequestBody(Array(body.utf8))
        tx.processLogging()
        return tx
    }

    static func ids(_ tx: Transaction) -> [Int] { tx.matchedRules.map(\.id) }

    /// The CRS checkout beside the package (`../shared/crs`; a worktree one level deeper also looks at
    /// `../../shared/crs`), or `$TOLLGATE_CRS`; nil when absent.
    static var crsDirectory: String? {
        if let env = ProcessInfo.processInfo.environment["TOLLGATE_CRS"] { return env }
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        for _ in 0..<2 {
            dir = dir.deletingLastPathComponent()
            let path = dir.appendingPathComponent("shared/crs").path
            if FileManager.default.fileExists(atPath: path + "/rules") { return path }
        }
        return nil
    }
}
