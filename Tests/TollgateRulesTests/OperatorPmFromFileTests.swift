import Testing

@testable import TollgateRules

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct OperatorPmFromFileTests {
    static let crsRules = "/work/shared/crs/rules"

    /// Writes `contents` to a fresh file in a temporary directory; returns (directory, file name).
    func temporaryFile(_ contents: String) throws -> (String, String) {
        var template = Array("/tmp/tollgate-pmf-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let base = buffer.baseAddress, let result = mkdtemp(base) else { return nil }
            return String(cString: result)
        }
        let directory = try #require(created)
        let name = "phrases.data"
        let opened = fopen(directory + "/" + name, "wb")
        let file = try #require(opened)
        _ = contents.withCString { fputs($0, file) }
        fclose(file)
        return (directory, name)
    }

    @Test func relativeFileWithCommentsAndBlankLines() throws {
        let (directory, name) = try temporaryFile(
            "# comment\n\n  /etc/passwd  \r\n   # indented comment\nboot.ini\n\t\n")
        let op = try OperatorFactory.make(name: "pmFromFile", argument: name, baseDirectory: directory)
        var context = OperatorContext()
        #expect(op.evaluate(Array("GET /ETC/PASSWD".utf8), context: &context) == .match)
        #expect(op.evaluate(Array("c:\\boot.ini".utf8), context: &context) == .match)
        #expect(op.evaluate(Array("comment".utf8), context: &context) == .noMatch)
        #expect(op.evaluate(Array("   ".utf8), context: &context) == .noMatch)
        let alias = try OperatorFactory.make(name: "pmf", argument: name, baseDirectory: directory)
        #expect(alias.evaluate(Array("boot.ini".utf8), context: &context) == .match)
    }

    @Test func missingFileNamesThePath() throws {
        let error = try #require(throws: OperatorLoadError.self) {
            _ = try OperatorFactory.make(name: "pmFromFile", argument: "nope.data", baseDirectory: "/nonexistent-dir")
        }
        #expect(error.message.contains("/nonexistent-dir/nope.data"))
    }

    @Test func remoteFilesAreRefused() {
        #expect(throws: OperatorLoadError.self) {
            _ = try OperatorFactory.make(name: "pmFromFile", argument: "https://example.com/x.data", baseDirectory: "/")
        }
    }

    @Test(arguments: [
        ("lfi-os-files.data", "/var/www/../../etc/passwd", OperatorResult.match),
        ("lfi-os-files.data", "hello world", .noMatch),
        ("unix-shell.data", "x=;/bin/bash -c id", .match),
        ("php-errors.data", "<b>Error</b>: Cannot directly construct MYSQLI_WARNING here", .match),
        ("restricted-files.data", "/.git/config", .match),
    ])
    func crsDataFiles(_ file: String, _ input: String, _ expected: OperatorResult) throws {
        let op = try OperatorFactory.make(name: "pmFromFile", argument: file, baseDirectory: Self.crsRules)
        var context = OperatorContext()
        #expect(op.evaluate(Array(input.utf8), context: &context) == expected)
    }

    @Test func ipMatchFromFile() throws {
        let (directory, name) = try temporaryFile("# blocked\n10.0.0.0/8\n2001:db8::/32\n")
        let op = try OperatorFactory.make(name: "ipMatchFromFile", argument: name, baseDirectory: directory)
        var context = OperatorContext()
        #expect(op.evaluate(Array("10.9.8.7".utf8), context: &context) == .match)
        #expect(op.evaluate(Array("2001:db8:1::1".utf8), context: &context) == .match)
        #expect(op.evaluate(Array("11.0.0.1".utf8), context: &context) == .noMatch)
    }
}
