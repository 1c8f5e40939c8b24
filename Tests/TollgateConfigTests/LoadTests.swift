import Foundation
import Testing

@testable import TollgateConfig

/// A scratch directory removed when the test ends.
final class ScratchDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "tollgate-config-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

@Suite("Loading from files")
struct LoadTests {
    @Test("a missing file is one fileUnreadable issue")
    func missingFile() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try TollgateConfiguration.load(path: "/nonexistent/tollgate.yaml")
        }
        #expect(error.codes == [.fileUnreadable])
        #expect(error.issues.first?.file == "/nonexistent/tollgate.yaml")
        #expect(error.issues.first?.message.contains("cannot be read") == true)
    }

    @Test("a directory is refused as a configuration file")
    func directory() throws {
        let scratch = try ScratchDirectory()
        let error = try #require(throws: ConfigurationError.self) { try TollgateConfiguration.load(path: scratch.path) }
        #expect(error.codes == [.fileUnreadable])
        #expect(error.issues.first?.message == "is a directory, not a file")
    }

    @Test("a valid file loads with its path as the source")
    func validFile() throws {
        let scratch = try ScratchDirectory()
        let file = try scratch.write(
            "ok.yaml",
            "listen: 127.0.0.1:9000\nfunctions:\n  - {name: a, route: /a, upstream: \"http://127.0.0.1:1\"}\n")
        let configuration = try TollgateConfiguration.load(path: file)
        #expect(configuration.listen.port == 9000)
        #expect(configuration.sourceFile == file)
        #expect(configuration.functions.map(\.name) == ["a"])
    }

    @Test("relative rule paths resolve against the file's directory and must exist")
    func relativeRuleFiles() throws {
        let scratch = try ScratchDirectory()
        _ = try scratch.write("conf/rules/local.conf", "SecRuleEngine On\n")
        try FileManager.default.createDirectory(atPath: scratch.path + "/crs", withIntermediateDirectories: true)
        let file = try scratch.write(
            "conf/tollgate.yaml",
            """
            rules:
              profile: recommended
              crs_path: ../crs
              files:
                - rules/local.conf
                - rules/*.conf
            """)
        let configuration = try TollgateConfiguration.load(path: file)
        let rules = try #require(configuration.rules)
        #expect(rules.files == [scratch.path + "/conf/rules/local.conf", scratch.path + "/conf/rules/*.conf"])
        #expect(rules.crsPath == scratch.path + "/conf/../crs")
        #expect(configuration.sourceFile == file)
    }

    @Test("missing rule files and crs_path are reported with their lines")
    func missingRuleFiles() throws {
        let scratch = try ScratchDirectory()
        let file = try scratch.write(
            "tollgate.yaml",
            """
            workers: 0
            rules:
              profile: recommended
              crs_path: /nonexistent/crs
              files:
                - missing.conf
                - globbed/*.conf
            """)
        let error = try #require(throws: ConfigurationError.self) { try TollgateConfiguration.load(path: file) }
        #expect(error.codes == [.outOfRange, .fileNotFound, .fileNotFound])
        #expect(error.issues.map(\.keyPath) == ["workers", "rules.crs_path", "rules.files[0]"])
        #expect(error.issues.map(\.line) == [1, 4, 6])
        #expect(error.issues[2].message.contains(scratch.path + "/missing.conf"))
    }

    @Test("a YAML syntax error carries its line")
    func syntaxErrorLine() throws {
        let scratch = try ScratchDirectory()
        let file = try scratch.write("bad.yaml", "listen: 127.0.0.1:8080\nfunctions:\n  - name: [a\n")
        let error = try #require(throws: ConfigurationError.self) { try TollgateConfiguration.load(path: file) }
        #expect(error.codes == [.yamlSyntax])
        #expect(error.issues.first?.line != nil)
    }
}
