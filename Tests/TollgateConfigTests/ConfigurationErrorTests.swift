import Testing

@testable import TollgateConfig

/// One invalid document and the single issue it must produce.
struct InvalidCase: CustomTestStringConvertible, Sendable {
    let name: String
    let yaml: String
    let code: ConfigurationIssue.Code
    let keyPath: String
    /// Text the message must contain.
    let message: String
    /// Expected 1-based line, when the issue points at a node.
    let line: Int?

    init(
        _ name: String, _ yaml: String, _ code: ConfigurationIssue.Code, _ keyPath: String, _ message: String,
        line: Int? = nil
    ) {
        self.name = name
        self.yaml = yaml
        self.code = code
        self.keyPath = keyPath
        self.message = message
        self.line = line
    }

    var testDescription: String { name }
}

/// Wraps one function mapping in a minimal document.
private func function(_ body: String) -> String {
    "functions:\n  - " + body.split(separator: "\n").joined(separator: "\n    ") + "\n"
}

private let base = "name: f\nroute: /f\nupstream: \"http://127.0.0.1:9000\""

let invalidCases: [InvalidCase] = [
    // YAML itself
    InvalidCase("not YAML", "listen: [unclosed\n", .yamlSyntax, "", "is not valid YAML"),
    InvalidCase(
        "duplicated key", "listen: 127.0.0.1:1\nlisten: 127.0.0.1:2\n", .yamlSyntax, "", "duplicated key 'listen'"),
    InvalidCase("empty document", "", .missingKey, "", "the configuration is empty"),
    InvalidCase("root is a list", "- a\n- b\n", .typeMismatch, "", "must be a mapping", line: 1),
    // Unknown keys
    InvalidCase("typo at root", "listn: 127.0.0.1:8080\n", .unknownKey, "listn", "did you mean 'listen'?", line: 1),
    InvalidCase(
        "typo in http", "http:\n  max_header_byte: 10\n", .unknownKey, "http.max_header_byte",
        "did you mean 'max_header_bytes'?", line: 2),
    InvalidCase(
        "typo in function", function(base + "\ntimeout: 5"), .unknownKey, "functions[0].timeout",
        "did you mean 'timeout_ms'?", line: 5),
    InvalidCase("unknown key without suggestion", "colour: blue\n", .unknownKey, "colour", "known keys: listen"),
    InvalidCase(
        "typo in pool", function(base + "\npool: {max_iddle: 3}"), .unknownKey, "functions[0].pool.max_iddle",
        "did you mean 'max_idle'?"),
    // listen / admin_listen
    InvalidCase("listen without port", "listen: 127.0.0.1\n", .invalidAddress, "listen", "must be host:port"),
    InvalidCase("listen port only", "listen: 8080\n", .invalidAddress, "listen", "did you mean '127.0.0.1:8080'?"),
    InvalidCase(
        "listen host name", "listen: example.com:80\n", .invalidAddress, "listen", "'example.com' is not an IP address"),
    InvalidCase("listen port out of range", "listen: 127.0.0.1:70000\n", .outOfRange, "listen", "between 0 and 65535"),
    InvalidCase("listen port not a number", "listen: 127.0.0.1:http\n", .invalidAddress, "listen", "not a number"),
    InvalidCase("listen bare IPv6", "listen: ::1:8080\n", .invalidAddress, "listen", "[::1]:8080"),
    InvalidCase("listen a list", "listen: [a]\n", .typeMismatch, "listen", "must be a string, got a list"),
    InvalidCase("listen empty", "listen:\n", .typeMismatch, "listen", "no value is given"),
    InvalidCase(
        "admin equals listen", "listen: 127.0.0.1:80\nadmin_listen: 127.0.0.1:80\n", .conflict, "admin_listen",
        "must differ from listen"),
    InvalidCase("admin bad", "admin_listen: 1.2.3:9\n", .invalidAddress, "admin_listen", "not an IP address"),
    // workers
    InvalidCase("workers zero", "workers: 0\n", .outOfRange, "workers", "must be positive"),
    InvalidCase("workers negative", "workers: -2\n", .outOfRange, "workers", "must be positive"),
    InvalidCase("workers text", "workers: many\n", .typeMismatch, "workers", "must be a whole number, got 'many'"),
    InvalidCase("workers fraction", "workers: 1.5\n", .typeMismatch, "workers", "whole number"),
    // http
    InvalidCase("http not a mapping", "http: 5\n", .typeMismatch, "http", "must be a mapping"),
    InvalidCase(
        "zero header count", "http: {max_header_count: 0}\n", .outOfRange, "http.max_header_count", "must be positive"),
    InvalidCase(
        "negative body", "http: {max_body_bytes: -1}\n", .outOfRange, "http.max_body_bytes", "must be positive"),
    InvalidCase("bad size", "http: {max_body_bytes: 10 parsecs}\n", .typeMismatch, "http.max_body_bytes", "10MiB"),
    InvalidCase(
        "zero timeout", "http: {header_timeout_ms: 0}\n", .outOfRange, "http.header_timeout_ms", "must be positive"),
    InvalidCase(
        "huge timeout", "http: {keepalive_timeout_ms: 100000000000}\n", .outOfRange, "http.keepalive_timeout_ms",
        "between 1 and 86400000"),
    InvalidCase(
        "zero connections", "http: {max_connections: 0}\n", .outOfRange, "http.max_connections", "must be positive"),
    InvalidCase(
        "request line above head", "http: {max_request_line_bytes: 64KiB, max_header_bytes: 32KiB}\n", .conflict,
        "http.max_request_line_bytes", "must not exceed max_header_bytes"),
    // functions
    InvalidCase("functions a mapping", "functions: {a: 1}\n", .typeMismatch, "functions", "must be a list"),
    InvalidCase("function a string", "functions: [x]\n", .typeMismatch, "functions[0]", "must be a mapping"),
    InvalidCase(
        "missing name", function("route: /f\nupstream: \"http://127.0.0.1:1\""), .missingKey, "functions[0].name",
        "is required"),
    InvalidCase(
        "missing route", function("name: f\nupstream: \"http://127.0.0.1:1\""), .missingKey, "functions[0].route",
        "is required"),
    InvalidCase(
        "missing upstream", function("name: f\nroute: /f"), .missingKey, "functions[0].upstream", "is required"),
    InvalidCase(
        "bad name", function("name: my function\nroute: /f\nupstream: \"http://127.0.0.1:1\""), .invalidValue,
        "functions[0].name", "letters, digits"),
    InvalidCase(
        "route without slash", function("name: f\nroute: function/f\nupstream: \"http://127.0.0.1:1\""), .invalidRoute,
        "functions[0].route", "must start with '/'", line: 3),
    InvalidCase(
        "route with query", function("name: f\nroute: /f?x=1\nupstream: \"http://127.0.0.1:1\""), .invalidRoute,
        "functions[0].route", "'?'"),
    InvalidCase(
        "route with space", function("name: f\nroute: \"/a b\"\nupstream: \"http://127.0.0.1:1\""), .invalidRoute,
        "functions[0].route", "space"),
    InvalidCase(
        "route with dot segment", function("name: f\nroute: /a/../b\nupstream: \"http://127.0.0.1:1\""), .invalidRoute,
        "functions[0].route", "'..'"),
    InvalidCase(
        "route with empty segment", function("name: f\nroute: /a//b\nupstream: \"http://127.0.0.1:1\""), .invalidRoute,
        "functions[0].route", "'//'"),
    InvalidCase(
        "route with percent", function("name: f\nroute: /a%20b\nupstream: \"http://127.0.0.1:1\""), .invalidRoute,
        "functions[0].route", "'%'"),
    InvalidCase(
        "https upstream", function("name: f\nroute: /f\nupstream: \"https://api.example.com\""), .unsupportedScheme,
        "functions[0].upstream",
        "must be http://host:port, got 'https://api.example.com': https upstreams are not supported yet (TLS comes later)",
        line: 4),
    InvalidCase(
        "upstream without scheme", function("name: f\nroute: /f\nupstream: 127.0.0.1:9000"), .invalidUpstream,
        "functions[0].upstream", "did you mean 'http://127.0.0.1:9000'?"),
    InvalidCase(
        "upstream other scheme", function("name: f\nroute: /f\nupstream: ftp://x:1"), .invalidUpstream,
        "functions[0].upstream", "must be http://host:port"),
    InvalidCase(
        "upstream port range", function("name: f\nroute: /f\nupstream: \"http://127.0.0.1:0\""), .outOfRange,
        "functions[0].upstream", "between 1 and 65535"),
    InvalidCase(
        "upstream port text", function("name: f\nroute: /f\nupstream: \"http://127.0.0.1:abc\""), .invalidUpstream,
        "functions[0].upstream", "not a number"),
    InvalidCase(
        "upstream credentials", function("name: f\nroute: /f\nupstream: \"http://u:p@127.0.0.1:1\""), .invalidUpstream,
        "functions[0].upstream", "credentials"),
    InvalidCase(
        "upstream query", function("name: f\nroute: /f\nupstream: \"http://127.0.0.1:1/a?b\""), .invalidUpstream,
        "functions[0].upstream", "no query"),
    InvalidCase(
        "upstream bad host", function("name: f\nroute: /f\nupstream: \"http://bad_host:1\""), .invalidUpstream,
        "functions[0].upstream", "not a valid host"),
    InvalidCase(
        "host with port", function(base + "\nhosts: [\"a.example:8080\"]"), .invalidValue, "functions[0].hosts[0]",
        "without a port"),
    InvalidCase(
        "bad host", function(base + "\nhosts: [\"a b\"]"), .invalidValue, "functions[0].hosts[0]", "host name or IP"),
    InvalidCase(
        "bad method", function(base + "\nmethods: [GET, \"PO ST\"]"), .invalidValue, "functions[0].methods[1]",
        "HTTP method"),
    InvalidCase(
        "strip_prefix not bool", function(base + "\nstrip_prefix: maybe"), .typeMismatch, "functions[0].strip_prefix",
        "true or false"),
    InvalidCase(
        "zero function timeout", function(base + "\ntimeout_ms: 0"), .outOfRange, "functions[0].timeout_ms",
        "must be positive"),
    InvalidCase(
        "negative connect timeout", function(base + "\nconnect_timeout_ms: -5"), .outOfRange,
        "functions[0].connect_timeout_ms", "must be positive"),
    InvalidCase(
        "zero memory", function(base + "\nmemory_mb: 0"), .outOfRange, "functions[0].memory_mb", "must be positive"),
    InvalidCase(
        "zero body limit", function(base + "\nmax_body_bytes: 0"), .outOfRange, "functions[0].max_body_bytes",
        "must be positive"),
    InvalidCase(
        "negative pool idle", function(base + "\npool: {max_idle: -1}"), .outOfRange, "functions[0].pool.max_idle",
        "must not be negative"),
    InvalidCase(
        "zero pool total", function(base + "\npool: {max_total: 0, max_idle: 0}"), .outOfRange,
        "functions[0].pool.max_total", "must be positive"),
    InvalidCase(
        "pool idle timeout below the sweep interval", function(base + "\npool: {idle_timeout_ms: 50}"), .outOfRange,
        "functions[0].pool.idle_timeout_ms", "100"),
    InvalidCase(
        "pool idle timeout not a number", function(base + "\npool: {idle_timeout_ms: soon}"), .typeMismatch,
        "functions[0].pool.idle_timeout_ms", "must be a whole number (ms), got 'soon'"),
    InvalidCase(
        "idle above total", function(base + "\npool: {max_idle: 10, max_total: 5}"), .conflict,
        "functions[0].pool.max_idle", "must not exceed max_total"),
    InvalidCase(
        "duplicate name",
        "functions:\n  - {name: f, route: /a, upstream: \"http://127.0.0.1:1\"}\n  - {name: f, route: /b, upstream: \"http://127.0.0.1:1\"}\n",
        .duplicateName, "functions[1].name", "first declared at functions[0]", line: 3),
    InvalidCase(
        "duplicate route",
        "functions:\n  - {name: a, route: /x, upstream: \"http://127.0.0.1:1\"}\n  - {name: b, route: /x/, upstream: \"http://127.0.0.1:1\"}\n",
        .duplicateRoute, "functions[1].route", "already claimed by functions[0]", line: 3),
    InvalidCase(
        "duplicate route on a shared host",
        "functions:\n  - {name: a, route: /x, hosts: [h1, h2], upstream: \"http://127.0.0.1:1\"}\n  - {name: b, route: /x, hosts: [H2], upstream: \"http://127.0.0.1:1\"}\n",
        .duplicateRoute, "functions[1].route", "overlapping host"),
    // rules
    InvalidCase(
        "unknown rules mode", "rules: {mode: blok}\n", .invalidValue, "rules.mode",
        "must be one of block | detect | off, got 'blok'; did you mean 'block'?"),
    InvalidCase(
        "paranoia zero", "rules: {paranoia_level: 0}\n", .outOfRange, "rules.paranoia_level", "must be positive"),
    InvalidCase(
        "paranoia five", "rules: {paranoia_level: 5}\n", .outOfRange, "rules.paranoia_level", "between 1 and 4"),
    InvalidCase(
        "unknown profile", "rules: {profile: recomended, crs_path: /x}\n", .invalidValue, "rules.profile",
        "did you mean 'recommended'?"),
    InvalidCase(
        "recommended without crs_path", "rules:\n  profile: recommended\n", .missingKey, "rules.crs_path",
        "is required by profile 'recommended'", line: 2),
    InvalidCase("empty rule file", "rules: {files: [\"\"]}\n", .invalidValue, "rules.files[0]", "file path or glob"),
    InvalidCase("rules files a mapping", "rules: {files: {a: b}}\n", .typeMismatch, "rules.files", "must be a list"),
    InvalidCase(
        "rules override for unknown function",
        function("name: orders\nroute: /o\nupstream: \"http://127.0.0.1:1\"")
            + "rules:\n  functions:\n    ordres: {mode: detect}\n",
        .unknownFunction, "rules.functions.ordres", "names no declared function 'ordres'; did you mean 'orders'?"),
    InvalidCase(
        "no suggestion between one-letter names", function(base) + "rules:\n  functions:\n    g: {mode: detect}\n",
        .unknownFunction, "rules.functions.g", "names no declared function 'g' (declared: f)"),
    InvalidCase(
        "rules override bad mode", function(base) + "rules:\n  functions:\n    f: {mode: loud}\n", .invalidValue,
        "rules.functions.f.mode", "must be one of"),
    InvalidCase(
        "rules override bad level", function(base) + "rules:\n  functions:\n    f: {paranoia_level: 9}\n", .outOfRange,
        "rules.functions.f.paranoia_level", "between 1 and 4"),
    InvalidCase(
        "rules override unknown key", function(base) + "rules:\n  functions:\n    f: {paranoia: 2}\n", .unknownKey,
        "rules.functions.f.paranoia", "did you mean 'paranoia_level'?"),
    // limits
    InvalidCase(
        "bad store", "limits: {store: memcached://x}\n", .invalidValue, "limits.store",
        "must be local or redis://host:port"),
    InvalidCase(
        "redis port", "limits: {store: \"redis://127.0.0.1:99999\"}\n", .outOfRange, "limits.store",
        "between 1 and 65535"),
    InvalidCase(
        "rediss", "limits: {store: \"rediss://127.0.0.1\"}\n", .unsupportedScheme, "limits.store", "TLS to Redis"),
    InvalidCase(
        "bad client key", "limits: {client_key: \"cookie:sid\"}\n", .invalidValue, "limits.client_key",
        "ip | forwarded | header:NAME | jwt:CLAIM"),
    InvalidCase(
        "client key typo", "limits: {client_key: [ipp]}\n", .invalidValue, "limits.client_key[0]", "did you mean 'ip'?"),
    InvalidCase(
        "empty header name", "limits: {client_key: \"header:\"}\n", .invalidValue, "limits.client_key", "header:NAME"),
    InvalidCase(
        "forwarded without trusted proxies", "limits: {client_key: forwarded}\n", .missingKey, "limits.trusted_proxies",
        "trusted proxies"),
    InvalidCase(
        "bad CIDR", "limits: {trusted_proxies: [10.0.0.0/33]}\n", .invalidValue, "limits.trusted_proxies[0]", "CIDR"),
    InvalidCase(
        "zero rate", "limits: {per_client: {rate_per_second: 0}}\n", .outOfRange, "limits.per_client.rate_per_second",
        "greater than 0"),
    InvalidCase(
        "negative rate", "limits: {per_function: {rate_per_second: -3}}\n", .outOfRange,
        "limits.per_function.rate_per_second", "greater than 0"),
    InvalidCase(
        "zero burst", "limits: {per_client: {rate_per_second: 1, burst: 0}}\n", .outOfRange, "limits.per_client.burst",
        "must be positive"),
    InvalidCase(
        "burst without rate", "limits: {per_client: {burst: 5}}\n", .missingKey, "limits.per_client.rate_per_second",
        "required when burst is set"),
    InvalidCase(
        "zero concurrency", "limits: {per_client: {max_concurrent: 0}}\n", .outOfRange,
        "limits.per_client.max_concurrent", "must be positive"),
    InvalidCase(
        "empty budget", "limits: {per_client: {budget: {window_seconds: 60}}}\n", .missingKey,
        "limits.per_client.budget.usd", "gb_seconds, usd or both"),
    InvalidCase(
        "negative budget", "limits: {per_client: {budget: {usd: -1}}}\n", .outOfRange, "limits.per_client.budget.usd",
        "greater than 0"),
    InvalidCase(
        "https degrade", "limits: {per_client: {budget: {usd: 1, degrade_to: \"https://x\"}}}\n", .unsupportedScheme,
        "limits.per_client.budget.degrade_to", "TLS comes later"),
    InvalidCase(
        "negative price", "limits: {pricing: {per_request_usd: -0.1}}\n", .outOfRange, "limits.pricing.per_request_usd",
        "between 0 and 1000"),
    InvalidCase("bad limits mode", "limits: {mode: shadwo}\n", .invalidValue, "limits.mode", "did you mean 'shadow'?"),
    InvalidCase(
        "bad store failure", "limits: {store_failure: half}\n", .invalidValue, "limits.store_failure", "open | closed"),
    InvalidCase("zero max keys", "limits: {max_keys: 0}\n", .outOfRange, "limits.max_keys", "must be positive"),
    InvalidCase(
        "bad cost estimate", "limits: {cost_estimate: median}\n", .invalidValue, "limits.cost_estimate",
        "average | timeout"),
    InvalidCase(
        "limits override unknown function", "limits:\n  functions:\n    nope: {mode: off}\n", .unknownFunction,
        "limits.functions.nope", "none are declared", line: 3),
    InvalidCase(
        "limits override unknown key", function(base) + "limits:\n  functions:\n    f: {rate: 1}\n", .unknownKey,
        "limits.functions.f.rate", "known keys"),
]

@Suite("Invalid configurations")
struct ConfigurationErrorTests {
    @Test("each invalid document yields exactly its issue", arguments: invalidCases)
    func invalid(_ testCase: InvalidCase) throws {
        let error = try #require(throws: ConfigurationError.self) {
            try TollgateConfiguration.parse(yaml: testCase.yaml, sourceFile: "test.yaml")
        }
        #expect(error.issues.count == 1, "\(error)")
        let issue = try #require(error.issues.first)
        #expect(issue.code == testCase.code)
        #expect(issue.keyPath == testCase.keyPath)
        #expect(issue.file == "test.yaml")
        #expect(issue.message.contains(testCase.message), "message was: \(issue.message)")
        if let line = testCase.line {
            #expect(issue.line == line)
        }
    }

    @Test("all errors are collected, in line order, each with its line")
    func collectsAll() throws {
        let yaml = """
            listen: 127.0.0.1:99999
            workers: 0
            http:
              max_header_count: -1
            functions:
              - name: a
                route: a
                upstream: "https://secure.example"
              - name: a
                route: /b
                upstream: "http://127.0.0.1:1"
                timeout_ms: 0
            rules:
              mode: loud
              paranoia_level: 7
            """
        let error = try #require(throws: ConfigurationError.self) {
            try TollgateConfiguration.parse(yaml: yaml, sourceFile: "many.yaml")
        }
        #expect(
            error.issues.map(\.keyPath) == [
                "listen", "workers", "http.max_header_count", "functions[0].route", "functions[0].upstream",
                "functions[1].name", "functions[1].timeout_ms", "rules.mode", "rules.paranoia_level",
            ])
        #expect(error.issues.map(\.line) == [1, 2, 4, 7, 8, 9, 12, 14, 15])
        #expect(error.description.hasPrefix("invalid configuration (9 errors):"))
        #expect(error.description.contains("many.yaml:8:15: functions[0].upstream: must be http://host:port"))
    }

    @Test("the duplicate-name check still runs when another function is invalid")
    func duplicateAfterInvalid() throws {
        let yaml = """
            functions:
              - {name: a, route: /a, upstream: "http://127.0.0.1:1"}
              - {name: a, route: /b, upstream: "http://127.0.0.1:1"}
              - {name: c, route: nope, upstream: "http://127.0.0.1:1"}
            """
        let error = try #require(throws: ConfigurationError.self) { try TollgateConfiguration.parse(yaml: yaml) }
        #expect(error.codes == [.duplicateName, .invalidRoute])
    }

    @Test("duplicate names and routes are found even when the later function has another error")
    func duplicateInInvalidFunction() throws {
        let yaml = """
            functions:
              - {name: a, route: /a, upstream: "http://127.0.0.1:1"}
              - {name: a, route: /a/, upstream: "http://127.0.0.1:99999"}
            """
        let error = try #require(throws: ConfigurationError.self) { try TollgateConfiguration.parse(yaml: yaml) }
        #expect(Set(error.codes) == [.duplicateName, .duplicateRoute, .outOfRange])
        #expect(error.issues.count == 3)
    }

    @Test("lists are bounded")
    func boundedLists() throws {
        let flat = Array(repeating: "h", count: ConfigurationDecoder.maxListCount + 1).joined(separator: ", ")
        let document = "functions:\n  - {name: a, route: /a, upstream: \"http://127.0.0.1:1\", hosts: [\(flat)]}\n"
        let error = try #require(throws: ConfigurationError.self) { try TollgateConfiguration.parse(yaml: document) }
        #expect(error.codes == [.outOfRange])
        #expect(error.issues.first?.keyPath == "functions[0].hosts")
    }

    @Test("issue description is file:line:column: path: message")
    func issueDescription() {
        let issue = ConfigurationIssue(
            code: .outOfRange, keyPath: "workers", file: "a.yaml", line: 3, column: 10, message: "must be positive")
        #expect(issue.description == "a.yaml:3:10: workers: must be positive")
        let noLine = ConfigurationIssue(code: .fileUnreadable, keyPath: "", file: "a.yaml", message: "cannot be read")
        #expect(noLine.description == "a.yaml: cannot be read")
    }

    @Test(
        "suggestions only for close words",
        arguments: [
            ("listn", "listen"), ("fuctions", "functions"), ("admin_listen", "admin_listen"), ("rulez", "rules"),
            ("workres", "workers"), ("zzzz", nil), ("http_settings", nil),
        ] as [(String, String?)])
    func suggestions(word: String, expected: String?) {
        #expect(Suggestion.closest(to: word, in: ConfigurationDecoder.rootKeys) == expected)
    }
}
