import Testing

@testable import TollgateRules

@Suite struct DetectSQLiTests {
    static let attacks: [String] = [
        "1' OR '1'='1",
        "1' or '1'='1' --",
        "' OR 1=1--",
        "' or 1=1#",
        "\" or \"\"=\"",
        "-1839\" or \"1\"=\"2",
        "admin'--",
        "admin' #",
        "admin'/*",
        "1234 OR 1=1",
        "1 AND 1=1",
        "1 and 2>1",
        "1) OR (1=1",
        "') or ('1'='1",
        "1 UNION SELECT username, password FROM users",
        "-1 union all select null,null,null--",
        "1 UNION(SELECT 1,2)",
        "foo') UNION ALL select NULL --",
        "1 UN/**/ION SEL/**/ECT 1,2",
        "1 /*!50000union*/ /*!50000select*/ 1,2",
        "1/**/OR/**/1=1",
        "'; DROP TABLE users; --",
        "1; DROP TABLE users",
        "1; SELECT * FROM users",
        "1;shutdown--",
        "1; EXEC xp_cmdshell('dir')",
        "'; exec master..xp_cmdshell 'ping 127.0.0.1'--",
        "1 AND SLEEP(5)",
        "1' AND SLEEP(5)#",
        "JKGHUKGDI8TDHLFJH72FZLFJSKFH' and sleep(12) --",
        "sleep(20)",
        "2010-01-01'+sleep(20.to_i)+'",
        "1 or benchmark(10000000,MD5(1))#",
        "foo')waitfor delay'5:0:20'--",
        "1; WAITFOR DELAY '0:0:5'--",
        "EmptyValue' and 526=527",
        "1'||(select extractvalue(xmltype('<?xml version=\"1.0\"?>'),'/l') from dual)",
        "\"unittests@coreruleset.org\"')) and (select*from(select(sleep(5)))x) --",
        "unittests@coreruleset.org\" sleep(10.to_i) \"",
        "\" | type %SystemDrive%\\config.ini | \"",
        "SELECT * FROM users WHERE id = 1",
        "select name, email from accounts",
        "1 AND extractvalue(1,concat(0x7e,version()))",
        "' and updatexml(1,concat(0x7e,(select user())),1)--",
        "1' ORDER BY 3--",
        "x' group by password having 1=1--",
        "' UNION SELECT load_file('/etc/passwd')--",
        "INSERT INTO users VALUES ('a','b')",
        "x'; insert into admins(name) values('me')--",
        "DELETE FROM users WHERE 1=1",
        "UPDATE users SET password='x' WHERE name='admin'",
        "1 or true--",
        "' or true--",
        "1 AND ascii(substring(database(),1,1))>64",
        "1 || 1=1",
        "@@version",
        "1' AND (SELECT COUNT(*) FROM users) > 0 --",
        "DECLARE @q varchar(99)",
        "1 and pg_sleep(5)",
        "1'='1",
        "x' + (select top 1 name from sysobjects) + '",
        "abc' like '%",
        "abc' ^ sleep(3) ^ '",
        "1 AND 1 IN (SELECT 1)",
        "1 RLIKE (SELECT (CASE WHEN (1=1) THEN 1 ELSE 0x28 END))",
        "1 order by 5",
        "' or 'whatever' in ('whatever')",
        "' or 2 between 1 and 3",
        "%' and 1=1 and '%'='",
        "1 AND 1=CONVERT(int,@@version)",
        "'||pg_sleep(10)--",
        "1' into outfile '/var/www/shell.php'--",
        "1 procedure analyse(extractvalue(rand(),concat(0x3a,version())),1)",
        "x' AND email IS NULL; --",
        "1 xor 1=1",
        "' xor sleep(5) or '",
        "/post/*/*/2 union all/bar",
        "1 AND 'a'='a'",
        "or 1=1",
        "OR 1=1--",
        "admin'or'1'='1",
        "1 and substring(@@version,1,1)=5",
        "-1' union select 1,2,group_concat(table_name) from information_schema.tables where table_schema=database()--",
        "1;declare @x nvarchar(99);",
        "') or 1=1--",
        "\" or 1=1--",
        "1 UnIoN SeLeCt 1,2",
        "1 union\nselect 1",
    ]

    static let benign: [String] = [
        "O'Brien",
        "it's",
        "Don't stop me now",
        "rock 'n' roll",
        "you're right, it's fine",
        "select the best option",
        "Please select one of the options below",
        "drop me a line",
        "Drop it like it's hot",
        "delete my account please",
        "Update your profile",
        "union station",
        "The union of two sets",
        "this or that",
        "cats and dogs",
        "Tom & Jerry",
        "1 + 1 = 2",
        "x = y + 2",
        "john.doe@example.com",
        "support+tag@mail.example.org",
        "$19.99",
        "€ 1.234,56",
        "2024-01-02",
        "2024-01-02T10:20:30Z",
        "12:30 PM",
        "+1 (555) 123-4567",
        "{\"name\": \"Alice\", \"age\": 30, \"tags\": [\"a\", \"b\"]}",
        "[1, 2, 3]",
        "**bold** and _italic_ text",
        "# Heading\n\nSome paragraph.",
        "- item one\n- item two",
        "[link](https://example.com/path?q=1&r=2)",
        "https://example.com/search?q=select+a+gift",
        "The meeting is at 5 or 6 pm",
        "I'm 5' 10\" tall",
        "Shop #12, 3rd floor",
        "C# and F# are languages",
        "Great product!!! 10/10 -- would buy again",
        "sleep well tonight",
        "I need more sleep (really)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
        "en-US,en;q=0.9",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "gzip, deflate, br",
        "a1b2c3d4e5f6",
        "550e8400-e29b-41d4-a716-446655440000",
        "SGVsbG8gV29ybGQ=",
        "We're open Mon-Fri, 9am-5pm; closed on weekends",
        "Order by phone or online",
        "She said \"hello\" and left",
        "'quoted'",
        "true",
        "null",
        "100%",
        "x-y_z.tar.gz",
        "Grant access to the new user",
        "Insert coin to continue",
        "-- signature",
        "print(String(repeating: \"-\", count: 80))",
        "let folder = try Folder(path: \"/users/john/folder\")",
        "$ echo \"*Hello World*\" | ink",
        "designated in writing by the copyright owner as \"Not a Contribution.\"",
        "To \"grant\" such a patent license",
        ".target(name: \"<target>\", dependencies: [",
        "print(\"----Encoding & Decoding----\\n\")",
        "$ref: '#/components/schemas/Greeting'",
        "The OS and version (for example, \"macOS 10.12.1\" or later)",
        "the HTTP/2 and HTTP/3 error codes",
        "<img alt=\"Select the OpenCombine and OpenCombineDispatch targets\">",
        "run \"--verbose\" mode",
        "the keys \"person\", \"country\" and \"prizes\" in our example",
        "text(\"# Knowledge Base\\n\\nThis is the content\")",
        "if name == \"code\" && kind == \"x\" {",
        "Sort the list in order by 5 columns",
        "The price (or cost) is 5",
        "Is x = (y + 1)?",
        "--target MyBenchmarks --filter \"^Encode$\"",
        "/post/foo/9'union all/bar",
        "the union all members voted",
        "Use \"quotes\" or 'apostrophes' = both fine",
        "I love \"Select\" the TV show or 'drop dead diva' = classics",
        "He said 'select all' then left",
        "The password is 'secret' -- don't share",
        "or maybe not",
        "From the **File** menu, select **Swift Packages**",
        "and so on = etc",
        "XCTAssertEqual failed: (\"User(id: 2, name: \"Blob\")\")",
    ]

    @Test(arguments: attacks)
    func detectsAttack(_ payload: String) {
        #expect(SQLInjectionDetector.detect(Array(payload.utf8)) != nil, "missed: \(payload)")
    }

    @Test(arguments: benign)
    func quietOnBenignText(_ text: String) {
        let fingerprint = SQLInjectionDetector.detect(Array(text.utf8))
        #expect(fingerprint == nil, "false positive: \(text) as \(String(decoding: fingerprint ?? [], as: UTF8.self))")
    }

    @Test func operatorCapturesFingerprint() throws {
        let (result, captures) = try evaluateOperator("detectSQLi", "", Array("1' OR '1'='1".utf8), capture: true)
        #expect(result == .match)
        #expect(captures.count == 1)
        #expect(captures.first?.isEmpty == false)
    }

    @Test func emptyAndBinaryInputs() {
        #expect(SQLInjectionDetector.detect([]) == nil)
        #expect(SQLInjectionDetector.detect([0, 0, 0]) == nil)
        #expect(SQLInjectionDetector.detect([0xFF, 0xFE, 0x27]) == nil)
    }
}

@Suite("SQL lexicon lookup")
struct SQLLexiconTests {
    @Test("the shape filter lets every lexicon word through and classifies it as the dictionary does")
    func everyWord() {
        for (word, kind) in SQLLexicon.wordKinds {
            #expect(SQLLexicon.kind(of: word) == kind, "\(String(decoding: word, as: UTF8.self))")
        }
    }

    @Test("words outside the lexicon are bare words", arguments: ["wireless", "headphones", "x", "", "selects"])
    func outside(word: String) {
        #expect(SQLLexicon.kind(of: Array(word.utf8)) == nil)
    }
}
