import Testing

@testable import TollgateRules

#if canImport(Glibc)
    import Glibc
#endif

/// Loads every `@rx`, `@pm` and `@pmFromFile` argument of the CRS v4 rule files through `OperatorFactory`:
/// all must build (PCRE2 compile and JIT at load), as the engine will do.
@Suite struct OperatorCRSLoadTests {
    static let rulesDirectory = "/work/shared/crs/rules"

    static func ruleFiles() -> [String] {
        guard let directory = opendir(rulesDirectory) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasSuffix(".conf") { names.append(rulesDirectory + "/" + name) }
        }
        return names.sorted()
    }

    /// (operator, argument) pairs from `"@op argument"` strings; `\"` inside the quotes unescapes to `"`.
    static func operators(in file: String) throws -> [(String, String)] {
        let bytes = try DataFileLoader.readFile(file, operatorName: "test")
        var found: [(String, String)] = []
        var index = 0
        while index + 2 < bytes.count {
            guard bytes[index] == UInt8(ascii: "\""),
                bytes[index + 1] == UInt8(ascii: "@")
                    || (bytes[index + 1] == UInt8(ascii: "!") && bytes[index + 2] == UInt8(ascii: "@"))
            else {
                index += 1
                continue
            }
            var cursor = index + (bytes[index + 1] == UInt8(ascii: "!") ? 3 : 2)
            let nameStart = cursor
            while cursor < bytes.count, ByteSearch.isAlpha(bytes[cursor]) || ByteSearch.isDigit(bytes[cursor]) {
                cursor += 1
            }
            let name = String(decoding: bytes[nameStart..<cursor], as: UTF8.self)
            if cursor < bytes.count, bytes[cursor] == UInt8(ascii: " ") { cursor += 1 }
            var argument: [UInt8] = []
            while cursor < bytes.count, bytes[cursor] != UInt8(ascii: "\"") {
                if bytes[cursor] == UInt8(ascii: "\\"), cursor + 1 < bytes.count,
                    bytes[cursor + 1] == UInt8(ascii: "\"")
                {
                    argument.append(UInt8(ascii: "\""))
                    cursor += 2
                    continue
                }
                argument.append(bytes[cursor])
                cursor += 1
            }
            found.append((name, String(decoding: argument, as: UTF8.self)))
            index = cursor + 1
        }
        return found
    }

    @Test func everyCRSOperatorBuilds() throws {
        let files = Self.ruleFiles()
        try #require(files.count > 20)
        var built = 0
        var regexes = 0
        for file in files {
            for (name, argument) in try Self.operators(in: file) {
                do {
                    let op = try OperatorFactory.make(
                        name: name, argument: argument, baseDirectory: Self.rulesDirectory)
                    built += 1
                    if let rx = op as? RxOperator {
                        regexes += 1
                        #expect(rx.regex.isJITCompiled, "not JIT-compiled: \(argument)")
                    }
                } catch {
                    Issue.record("\(file): @\(name) \(argument.prefix(80)): \(error)")
                }
            }
        }
        #expect(regexes >= 300)
        #expect(built >= 650)
    }

    @Test func crsRegexesDoNotTrapOnHostileInput() throws {
        var inputs: [[UInt8]] = [[], [0], Array(repeating: 0x61, count: 4096), Array(repeating: 0x27, count: 2048)]
        inputs.append(Array("' OR 1=1 -- <script>alert(1)</script> ../../etc/passwd ${jndi:ldap://x}".utf8))
        for file in Self.ruleFiles() {
            for (name, argument) in try Self.operators(in: file) where name == "rx" && !argument.contains("%{") {
                let op = try OperatorFactory.make(name: name, argument: argument, baseDirectory: Self.rulesDirectory)
                for input in inputs {
                    var context = OperatorContext(captureRequested: true)
                    _ = op.evaluate(input, context: &context)
                }
            }
        }
    }
}
