import Foundation
import Testing

@testable import TollgateConfig

@Suite("Valid configurations")
struct ValidConfigurationTests {
    @Test("the proxy-core issue's example shape")
    func issueExample() throws {
        let configuration = try TollgateConfiguration.parse(
            yaml: """
                listen: "127.0.0.1:8080"
                admin_listen: "127.0.0.1:9901"
                functions:
                  - name: orders
                    route: /function/orders
                    upstream: "http://127.0.0.1:18080"
                    timeout_ms: 3000
                    memory_mb: 512
                """)
        #expect(configuration.listen == ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(configuration.adminListen == ListenAddress(host: "127.0.0.1", port: 9901))
        #expect(configuration.workers == ConfigurationDecoder.onlineCores)
        #expect(configuration.http == HTTPSettings())
        #expect(configuration.rules == nil)
        #expect(configuration.limits == nil)
        let expected = FunctionConfiguration(
            name: "orders", route: "/function/orders", upstream: UpstreamAddress(host: "127.0.0.1", port: 18080),
            timeoutMilliseconds: 3000, memoryMB: 512)
        #expect(configuration.functions == [expected])
    }

    @Test("every function key")
    func everyFunctionKey() throws {
        let configuration = try TollgateConfiguration.parse(
            yaml: """
                listen: "[::1]:8081"
                workers: 2
                functions:
                  - name: search.v2
                    route: /api/search/
                    hosts: [API.example.com, "::1"]
                    methods: [get, POST, get]
                    upstream: "http://Backend.internal:9000/base/"
                    strip_prefix: true
                    timeout_ms: 1_500
                    connect_timeout_ms: 200
                    memory_mb: 1024
                    max_body_bytes: 1MiB
                    pool: {max_idle: 8, max_total: 16, idle_timeout_ms: 1_500}
                """)
        #expect(configuration.listen == ListenAddress(host: "::1", port: 8081))
        #expect(configuration.listen.description == "[::1]:8081")
        #expect(configuration.workers == 2)
        let function = try #require(configuration.functions.first)
        #expect(function.name == "search.v2")
        #expect(function.route == "/api/search")
        #expect(function.hosts == ["api.example.com", "::1"])
        #expect(function.methods == ["GET", "POST"])
        #expect(function.upstream == UpstreamAddress(host: "backend.internal", port: 9000, basePath: "/base"))
        #expect(function.stripPrefix)
        #expect(function.timeoutMilliseconds == 1500)
        #expect(function.connectTimeoutMilliseconds == 200)
        #expect(function.memoryMB == 1024)
        #expect(function.maxBodyBytes == 1 << 20)
        #expect(function.poolMaxIdle == 8)
        #expect(function.poolMaxTotal == 16)
        #expect(function.poolIdleTimeoutMilliseconds == 1500)
    }

    @Test("function defaults")
    func functionDefaults() throws {
        let configuration = try TollgateConfiguration.parse(
            yaml: """
                functions:
                  - {name: a, route: /, upstream: "http://10.0.0.1"}
                """)
        #expect(configuration.listen == ListenAddress(host: "127.0.0.1", port: 8080))
        let function = try #require(configuration.functions.first)
        #expect(
            function
                == FunctionConfiguration(name: "a", route: "/", upstream: UpstreamAddress(host: "10.0.0.1", port: 80)))
        #expect(function.timeoutMilliseconds == 30_000)
        #expect(function.poolMaxIdle == 32)
        #expect(function.poolMaxTotal == 256)
        #expect(function.poolIdleTimeoutMilliseconds == 4_000)
    }

    @Test("every http key, with size suffixes")
    func httpSection() throws {
        let configuration = try TollgateConfiguration.parse(
            yaml: """
                http:
                  max_request_line_bytes: 4KiB
                  max_header_bytes: 65536
                  max_header_count: 50
                  max_body_bytes: 2 MiB
                  inspection_buffer_bytes: 64k
                  header_timeout_ms: 5000
                  body_timeout_ms: 6000
                  keepalive_timeout_ms: 7000
                  max_connections: 500
                """)
        var expected = HTTPSettings()
        expected.maxRequestLineBytes = 4096
        expected.maxHeaderBytes = 65536
        expected.maxHeaderCount = 50
        expected.maxBodyBytes = 2 << 20
        expected.inspectionBufferBytes = 64 << 10
        expected.headerTimeoutMilliseconds = 5000
        expected.bodyTimeoutMilliseconds = 6000
        expected.keepAliveTimeoutMilliseconds = 7000
        expected.maxConnections = 500
        #expect(configuration.http == expected)
    }

    @Test("the rule-engine issue's rules shape")
    func rulesShape() throws {
        let configuration = try TollgateConfiguration.parse(
            yaml: """
                functions:
                  - {name: health, route: /health, upstream: "http://127.0.0.1:1"}
                rules:
                  mode: block
                  files:
                    - /usr/share/modsecurity-crs/crs-setup.conf
                    - /usr/share/modsecurity-crs/rules/*.conf
                  functions:
                    health: {mode: "off"}
                """)
        let rules = try #require(configuration.rules)
        #expect(rules.mode == .block)
        #expect(
            rules.files == ["/usr/share/modsecurity-crs/crs-setup.conf", "/usr/share/modsecurity-crs/rules/*.conf"])
        #expect(rules.paranoiaLevel == 1)
        #expect(rules.functionOverrides == ["health": FunctionRulesOverride(mode: .off)])
    }

    @Test("the rulesets issue's profile shape")
    func profileShape() throws {
        let configuration = try TollgateConfiguration.parse(
            yaml: """
                rules:
                  mode: detect
                  profile: recommended
                  crs_path: /usr/share/modsecurity-crs
                  paranoia_level: 2
                """)
        let rules = try #require(configuration.rules)
        #expect(rules.mode == .detect)
        #expect(rules.profile == "recommended")
        #expect(rules.crsPath == "/usr/share/modsecurity-crs")
        #expect(rules.paranoiaLevel == 2)
    }

    @Test("relative rule paths resolve against the config file's directory")
    func relativePaths() throws {
        let configuration = try TollgateConfiguration.parse(
            yaml: """
                rules:
                  profile: recommended
                  crs_path: ../crs
                  files: [./local/*.conf, extra.conf, /abs/x.conf]
                """,
            sourceFile: "/etc/tollgate/tollgate.yaml")
        let rules = try #require(configuration.rules)
        #expect(rules.crsPath == "/etc/tollgate/../crs")
        #expect(rules.files == ["/etc/tollgate/local/*.conf", "/etc/tollgate/extra.conf", "/abs/x.conf"])
    }

    @Test("the limiter issue's limits shape")
    func limitsShape() throws {
        let configuration = try TollgateConfiguration.parse(
            yaml: """
                limits:
                  store: local
                  client_key: "header:X-Api-Key"
                  per_client:
                    rate_per_second: 10
                    burst: 10
                """)
        let limits = try #require(configuration.limits)
        #expect(limits.store == .local)
        #expect(limits.clientKey == [.header("x-api-key")])
        #expect(limits.perClient == LimitSet(ratePerSecond: 10, burst: 10))
        #expect(limits.perFunction.isEmpty)
        #expect(limits.mode == .enforce)
        #expect(limits.pricing == Pricing())
    }

    @Test("every limits key")
    func fullLimits() throws {
        let configuration = try TollgateConfiguration.parse(
            yaml: """
                functions:
                  - {name: orders, route: /orders, upstream: "http://127.0.0.1:18080"}
                limits:
                  mode: shadow
                  store: redis://127.0.0.1:6380/2
                  store_failure: closed
                  store_timeout_ms: 20
                  client_key: [forwarded, "jwt:sub"]
                  trusted_proxies: [10.0.0.0/8, "::1", 192.168.1.1]
                  max_keys: 5000
                  cost_estimate: timeout
                  per_client:
                    rate_per_second: 0.5
                    burst: 3
                    max_concurrent: 2
                    budget: {window_seconds: 60, usd: 0.01}
                  per_function:
                    max_concurrent: 100
                    budget: {gb_seconds: 1000, degrade_to: "http://127.0.0.1:18081"}
                  pricing: {per_request_usd: 0.0000004, per_gb_second_usd: 0.00002}
                  functions:
                    orders:
                      mode: enforce
                      client_key: ip
                      per_client: {rate_per_second: 100}
                      pricing: {per_gb_second_usd: 0.00001}
                """)
        let limits = try #require(configuration.limits)
        #expect(limits.mode == .shadow)
        #expect(limits.store == .redis(host: "127.0.0.1", port: 6380, database: 2))
        #expect(limits.store.description == "redis://127.0.0.1:6380/2")
        #expect(limits.storeFailure == .closed)
        #expect(limits.storeTimeoutMilliseconds == 20)
        #expect(limits.clientKey == [.forwarded, .jwtClaim("sub")])
        #expect(limits.trustedProxies == ["10.0.0.0/8", "::1", "192.168.1.1"])
        #expect(limits.maxKeys == 5000)
        #expect(limits.costEstimate == .timeout)
        #expect(
            limits.perClient
                == LimitSet(
                    ratePerSecond: 0.5, burst: 3, maxConcurrent: 2, budget: Budget(windowSeconds: 60, usd: 0.01)))
        #expect(
            limits.perFunction
                == LimitSet(
                    maxConcurrent: 100,
                    budget: Budget(gbSeconds: 1000, degradeTo: UpstreamAddress(host: "127.0.0.1", port: 18081))))
        #expect(limits.pricing == Pricing(perRequestUSD: 0.0000004, perGBSecondUSD: 0.00002))
        let override = try #require(limits.functionOverrides["orders"])
        #expect(override.mode == .enforce)
        #expect(override.clientKey == [.ip])
        #expect(override.perClient == LimitSet(ratePerSecond: 100))
        #expect(override.pricing == Pricing(perGBSecondUSD: 0.00001))
    }

    @Test("two functions may share a route on different hosts")
    func routePerHost() throws {
        let configuration = try TollgateConfiguration.parse(
            yaml: """
                functions:
                  - {name: a, route: /x, hosts: [a.example], upstream: "http://127.0.0.1:1"}
                  - {name: b, route: /x, hosts: [b.example], upstream: "http://127.0.0.1:2"}
                  - {name: c, route: /x, upstream: "http://127.0.0.1:3"}
                """)
        #expect(configuration.functions.map(\.name) == ["a", "b", "c"])
    }

    @Test("listen accepts localhost and port 0")
    func listenForms() throws {
        let configuration = try TollgateConfiguration.parse(yaml: "listen: localhost:0\nadmin_listen: 127.0.0.1:0\n")
        #expect(configuration.listen == ListenAddress(host: "127.0.0.1", port: 0))
        #expect(configuration.adminListen == ListenAddress(host: "127.0.0.1", port: 0))
    }
}

@Suite("Examples")
struct ExampleTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples")

    @Test("the embedded demo text is Examples/demo.yaml")
    func embeddedDemoMatchesFile() throws {
        let text = try String(contentsOf: Self.examples.appendingPathComponent("demo.yaml"), encoding: .utf8)
        #expect(text == TollgateConfiguration.demoYAML + "\n")
    }

    @Test("the demo configuration is valid and points at the echo function")
    func demoIsValid() throws {
        let configuration = try TollgateConfiguration.parse(
            yaml: TollgateConfiguration.demoYAML, sourceFile: "demo.yaml")
        #expect(configuration.listen == ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(configuration.adminListen == ListenAddress(host: "127.0.0.1", port: 9901))
        #expect(configuration.functions.map(\.name) == ["echo", "orders"])
        #expect(configuration.functions.map(\.route) == ["/function/echo", "/function/orders"])
        #expect(configuration.functions.allSatisfy { $0.upstream.port == TollgateConfiguration.demoEchoPort })
    }

    @Test("both examples load from their files", arguments: ["demo.yaml", "full.yaml"])
    func examplesLoad(name: String) throws {
        let path = Self.examples.appendingPathComponent(name).path
        let configuration = try TollgateConfiguration.load(path: path)
        #expect(configuration.sourceFile == path)
        #expect(!configuration.functions.isEmpty)
    }

    @Test("Examples/full.yaml loads")
    func fullIsValid() throws {
        let path = Self.examples.appendingPathComponent("full.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let configuration = try TollgateConfiguration.parse(yaml: text, sourceFile: path)
        #expect(configuration.functions.count >= 2)
        #expect(configuration.rules != nil)
        #expect(configuration.limits != nil)
    }
}

@Suite("metrics switch")
struct MetricsSwitchTests {
    @Test("metrics are on by default; metrics.enabled turns them off or on")
    func enabled() throws {
        #expect(try TollgateConfiguration.parse(yaml: "listen: 127.0.0.1:1\n").metrics.enabled)
        #expect(try !TollgateConfiguration.parse(yaml: "metrics: {enabled: false}\n").metrics.enabled)
        #expect(try TollgateConfiguration.parse(yaml: "metrics:\n  enabled: true\n").metrics.enabled)
        #expect(try TollgateConfiguration.parse(yaml: "metrics: {}\n").metrics.enabled)
    }

    @Test(
        "invalid metrics sections are refused with their key path",
        arguments: [
            ("metrics: {enabled: maybe}\n", ConfigurationIssue.Code.typeMismatch, "metrics.enabled"),
            ("metrics: {enable: false}\n", .unknownKey, "metrics.enable"),
            ("metrics: false\n", .typeMismatch, "metrics"),
        ])
    func invalid(yaml: String, code: ConfigurationIssue.Code, keyPath: String) throws {
        let error = try #require(throws: ConfigurationError.self) { try TollgateConfiguration.parse(yaml: yaml) }
        #expect(error.issues.map(\.code) == [code])
        #expect(error.issues.map(\.keyPath) == [keyPath])
    }
}
