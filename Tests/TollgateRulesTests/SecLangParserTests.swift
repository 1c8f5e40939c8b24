import Foundation
import Testing

@testable import TollgateRules

@Suite("SecLang parser")
struct SecLangParserTests {
    @Test("continuation lines, comments and quoting")
    func lexer() throws {
        let text = """
            # a comment \\
            SecRule ARGS "@rx a\\"b" \\
                "id:1,\\
                msg:'it\\'s, here',\\
                pass"

            SecMarker END
            """
        let directives = try SecLangLexer.directives(in: text, file: "f.conf")
        #expect(directives.count == 2)
        #expect(directives[0].name == "SecRule")
        #expect(directives[0].line == 2)
        #expect(directives[0].arguments[1] == "@rx a\"b")
        let actions = try SecLangLexer.actions(directives[0].arguments[2], file: "f.conf", line: 2)
        #expect(actions.map(\.name) == ["id", "msg", "pass"])
        #expect(actions[1].value == "it's, here")
        #expect(directives[1].arguments == ["END"])
    }

    @Test("an escaped backslash before the closing quote does not escape the quote")
    func escapedBackslash() throws {
        let d = try #require(try SecLangLexer.tokenize(#"SecRule ARGS "@rx a\\" "id:1,pass""#, file: "f", line: 1))
        #expect(d.arguments == [#"ARGS"#, #"@rx a\\"#, "id:1,pass"])
    }

    @Test("a byte order mark and CRLF line ends are tolerated")
    func bomAndCRLF() throws {
        let set = try RuleSetLoader.ruleSet(
            text: "\u{FEFF}SecAction \"id:1,\\\r\n pass\"\r\nSecAction \"id:2,pass\"\r\n")
        #expect(set.ruleIDs == [1, 2])
    }

    @Test("a rule set parses into phases with markers")
    func phases() throws {
        let set = try RuleSetLoader.ruleSet(
            text: """
                SecRule ARGS "@rx x" "id:1,phase:1,pass"
                SecMarker M
                SecRule ARGS "@rx y" "id:2,phase:2,deny,status:403"
                SecAction "id:3,phase:5,pass,nolog"
                """)
        #expect(set.ruleIDs == [1, 2, 3])
        #expect(set.ruleCount == 3)
    }

    struct BadCase: Sendable, CustomStringConvertible {
        var text: String
        var code: RuleLoadError.Code
        var line: Int
        var description: String { code.rawValue }
    }

    static let badCases: [BadCase] = [
        BadCase(text: "SecFoo On", code: .unknownDirective, line: 1),
        BadCase(text: "\nSecRule NOPE \"@rx a\" \"id:1,pass\"", code: .unknownVariable, line: 2),
        BadCase(text: "SecRule ARGS \"@nope a\" \"id:1,pass\"", code: .unknownOperator, line: 1),
        BadCase(text: "SecRule ARGS \"@rx a\" \"id:1,pass,explode\"", code: .unknownAction, line: 1),
        BadCase(text: "SecRule ARGS \"@rx a\" \"id:1,pass,t:rot13\"", code: .unknownTransformation, line: 1),
        BadCase(text: "SecRule ARGS \"@rx a\" \"phase:2,pass\"", code: .missingRuleID, line: 1),
        BadCase(text: "SecAction \"id:1,pass\"\nSecAction \"id:1,pass\"", code: .duplicateRuleID, line: 2),
        BadCase(text: "SecRule ARGS \"@rx a\" \"id:1,pass,chain\"", code: .chainWithoutRule, line: 1),
        BadCase(text: "SecRule ARGS \"@rx a\" \"id:1,pass,chain\"\nSecMarker X", code: .chainWithoutRule, line: 2),
        BadCase(text: "SecRule ARGS \"@rx a", code: .syntax, line: 1),
        BadCase(text: "SecRule ARGS \"@rx a\" \"id:1,msg:'open\"", code: .syntax, line: 1),
        BadCase(text: "SecRule ARGS:/abc \"@rx a\" \"id:1,pass\"", code: .syntax, line: 1),
        BadCase(text: "SecRule XML:/a/b \"@rx a\" \"id:1,pass\"", code: .unknownVariable, line: 1),
        BadCase(text: "SecRule ARGS \"@rx a\" \"id:1,phase:9\"", code: .invalidAction, line: 1),
        BadCase(text: "SecRule ARGS \"@rx a\" \"id:1,setvar:nope.x=1\"", code: .invalidAction, line: 1),
        BadCase(text: "SecRule ARGS \"@rx a\" \"id:1,ctl:fooBar=1\"", code: .unknownAction, line: 1),
        BadCase(text: "SecRule ARGS \"@rx a\" \"id:1,msg:'%{NOPE}'\"", code: .invalidAction, line: 1),
        BadCase(text: "SecRuleEngine Maybe", code: .invalidValue, line: 1),
        BadCase(text: "SecRuleUpdateTargetById 77 \"!ARGS:x\"", code: .unknownRuleID, line: 1),
        BadCase(text: "SecRuleRemoveById 5-2", code: .invalidValue, line: 1),
        BadCase(text: "SecRule ARGS \"@rx (\" \"id:1,pass\"", code: .invalidOperator, line: 1),
        BadCase(text: "SecRule ARGS \"@validateByteRange 9-2\" \"id:1,pass\"", code: .invalidOperator, line: 1),
        BadCase(text: "SecRule ARGS \"@ipMatch not-an-ip\" \"id:1,pass\"", code: .invalidOperator, line: 1),
        BadCase(text: "SecRule ARGS \"@pmFromFile missing.data\" \"id:1,pass\"", code: .invalidOperator, line: 1),
        BadCase(text: "SecRule ARGS \"@verifyCC \\d+\" \"id:1,pass\"", code: .unknownOperator, line: 1),
    ]

    @Test("malformed input fails the load with file, line and code", arguments: badCases)
    func malformed(_ bad: BadCase) {
        #expect {
            _ = try RuleSetLoader.ruleSet(text: bad.text, file: "bad.conf")
        } throws: { error in
            guard let error = error as? RuleLoadError else { return false }
            return error.code == bad.code && error.line == bad.line && error.file == "bad.conf"
                && error.description.hasPrefix("bad.conf:\(bad.line):")
        }
    }

    @Test("a self-including file is refused with an include-cycle error")
    func selfInclude() throws {
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.write("SecAction \"id:1,pass\"\nInclude self.conf\n", to: dir + "/self.conf")
        var loader = RuleSetLoader()
        #expect {
            try loader.load(file: dir + "/self.conf")
        } throws: { error in
            (error as? RuleLoadError)?.code == .includeCycle
                && (error as? RuleLoadError)?.message.contains("self.conf -> ") == true
        }
    }

    @Test("an include cycle across two files is refused")
    func includeCycle() throws {
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.write("Include b.conf\n", to: dir + "/a.conf")
        try TestSupport.write("Include a.conf\n", to: dir + "/b.conf")
        #expect(throws: RuleLoadError.self) { _ = try RuleSetLoader.ruleSet(files: [dir + "/a.conf"]) }
    }

    @Test("Include globs load relative to the including file, sorted; a missing file names the Include line")
    func includeGlob() throws {
        let dir = try TestSupport.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/rules", withIntermediateDirectories: true)
        try TestSupport.write("SecAction \"id:20,pass\"\n", to: dir + "/rules/b.conf")
        try TestSupport.write("SecAction \"id:10,pass\"\n", to: dir + "/rules/a.conf")
        try TestSupport.write("SecAction \"id:99,pass\"\n", to: dir + "/rules/c.data")
        try TestSupport.write("SecAction \"id:1,pass\"\nInclude rules/*.conf\n", to: dir + "/main.conf")
        let set = try RuleSetLoader.ruleSet(files: [dir + "/main.conf"])
        #expect(set.ruleIDs == [1, 10, 20])

        try TestSupport.write("\n\nInclude missing.conf\n", to: dir + "/broken.conf")
        #expect {
            _ = try RuleSetLoader.ruleSet(files: [dir + "/broken.conf"])
        } throws: { error in
            let e = error as? RuleLoadError
            return e?.code == .unreadableFile && e?.line == 3 && e?.file.hasSuffix("broken.conf") == true
        }
    }

    @Test("SecRuleRemoveById takes ids and ranges; SecRuleRemoveByTag removes tagged rules")
    func removal() throws {
        let set = try RuleSetLoader.ruleSet(
            text: """
                SecAction "id:1,pass"
                SecAction "id:2,pass"
                SecAction "id:3,pass"
                SecAction "id:4,pass,tag:'drop-me'"
                SecAction "id:5,pass"
                SecRuleRemoveById 1 2-3
                SecRuleRemoveByTag drop-me
                """)
        #expect(set.ruleIDs == [5])
    }

    @Test("settings directives are recorded")
    func settings() throws {
        let set = try RuleSetLoader.ruleSet(
            text: """
                SecRuleEngine DetectionOnly
                SecRequestBodyAccess On
                SecRequestBodyLimit 1000
                SecRequestBodyLimitAction ProcessPartial
                SecResponseBodyMimeType text/plain application/json
                SecComponentSignature "OWASP_CRS/4.28.0"
                SecAuditLogParts ABIJDEFHZ
                SecDebugLogLevel 0
                """)
        #expect(set.settings.ruleEngine == .detectionOnly)
        #expect(set.settings.requestBodyAccess)
        #expect(set.settings.requestBodyLimit == 1000)
        #expect(!set.settings.requestBodyLimitActionReject)
        #expect(set.settings.responseBodyMimeTypes == ["text/plain", "application/json"])
        #expect(set.settings.componentSignatures == ["OWASP_CRS/4.28.0"])
        #expect(set.settings.recorded["SecDebugLogLevel"] == "0")
    }
}
