import PropertyBased
import Testing
import TollgateFTW

@testable import TollgateRules

@Suite("Parsers never trap on hostile input")
struct ParserPropertyTests {
    static let bodyPool: [UInt8] =
        Array("{}[]\":,\\u00-+.eE0123456789 truefalsnl<>/?!=&'\r\n-;%ab".utf8) + [0, 0x80, 0xC3, 0xFF]

    @Test("JSON, XML, multipart and urlencoded processors return or fail cleanly on random bytes")
    func bodies() async {
        let limits = BodyLimits(arguments: 50, depth: 8, files: 3)
        await propertyCheck(count: 400, input: Gen.element(of: Self.bodyPool).map { $0 ?? 0 }.array(of: 0...120)) {
            bytes in
            _ = try? JSONBodyProcessor.parse(bytes, limits: limits)
            _ = try? XMLBodyProcessor.parse(bytes, limits: limits)
            _ = try? MultipartBodyProcessor.parse(
                Array("--b\r\n".utf8) + bytes, contentType: Array("multipart/form-data; boundary=b".utf8),
                limits: limits)
            let args = URLCoding.parseArguments(bytes, separator: UInt8(ascii: "&"))
            #expect(args.count <= bytes.count + 1)
        }
    }

    static let seclangPool: [UInt8] = Array(
        "SecRule ARGS|!&:/x \"@rx a\\\"'id:1,phase:2,t:none,msg:'%{TX.a}'\n#\\ ".utf8)

    @Test("the SecLang lexer and loader throw or load, never trap, on random text")
    func seclang() async {
        await propertyCheck(count: 400, input: Gen.element(of: Self.seclangPool).map { $0 ?? 32 }.array(of: 0...100)) {
            bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            _ = try? SecLangLexer.directives(in: text, file: "fuzz")
            _ = try? RuleSetLoader.ruleSet(text: text, file: "fuzz")
        }
    }

    @Test("JSON nesting at the depth limit parses; one deeper is a depth error")
    func depthBoundary() throws {
        let limits = BodyLimits(arguments: 10, depth: 3, files: 1)
        #expect(try JSONBodyProcessor.parse(Array(#"{"a":{"b":{"c":1}}}"#.utf8), limits: limits).count == 1)
        #expect {
            _ = try JSONBodyProcessor.parse(Array(#"{"a":{"b":{"c":{"d":1}}}}"#.utf8), limits: limits)
        } throws: { error in
            (error as? BodyProcessorError)?.code == .depthLimit
        }
    }
}

@Suite("tollgate ftw --config")
struct ConfigRulesTests {
    @Test("loads rules.files relative to the config file and the mode")
    func loads() throws {
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.write("SecRule ARGS \"@rx x\" \"id:7,phase:1,deny\"\n", to: dir + "/mine.conf")
        try TestSupport.write("rules:\n  mode: detect\n  files:\n    - mine.conf\n", to: dir + "/tollgate.yaml")
        let (set, mode) = try ConfigRules.load(path: dir + "/tollgate.yaml")
        #expect(set.ruleIDs == [7])
        #expect(mode == .detect)
        #expect(try ConfigRules.options(path: dir + "/tollgate.yaml").transactionVariables.isEmpty)
        try TestSupport.write("rules:\n  paranoia_level: 3\n  files: [mine.conf]\n", to: dir + "/pl.yaml")
        #expect(
            try ConfigRules.options(path: dir + "/pl.yaml").transactionVariables == ["blocking_paranoia_level": "3"])
        try TestSupport.write("rules:\n  mode: loud\n  files: [mine.conf]\n", to: dir + "/bad.yaml")
        #expect(throws: ConfigRules.ConfigError.self) { _ = try ConfigRules.load(path: dir + "/bad.yaml") }
    }
}
