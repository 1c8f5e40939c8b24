/// The whole validated Tollgate configuration (the YAML file, after validation).
///
/// Values are plain and `Sendable`; the proxy swaps a new one in whole on reload.
public struct TollgateConfiguration: Sendable, Equatable {
    /// Where clients connect (`listen:`), e.g. `127.0.0.1:8080`.
    public var listen: ListenAddress
    /// Admin endpoint (`admin_listen:`): metrics and health. `nil` disables it.
    public var adminListen: ListenAddress?
    /// Number of I/O queues (`workers:`); default: the number of online cores.
    public var workers: Int
    /// Protocol limits and timeouts (`http:` section).
    public var http: HTTPSettings
    /// Declared functions (`functions:`), in file order.
    public var functions: [FunctionConfiguration]
    /// Rule engine settings (`rules:`); `nil` means no rules.
    public var rules: RulesConfiguration?
    /// Rate limits, concurrency caps and cost budgets (`limits:`); `nil` means no limits.
    public var limits: LimitsConfiguration?
    /// Bearer token for the admin listener (`admin_token:` or the first line of `admin_token_file:`);
    /// required when `admin_listen` is not a loopback address. `nil`: no token.
    public var adminToken: String?
    /// Where access and audit lines go (`logging:`).
    public var logging: LoggingConfiguration
    /// Whether Prometheus metrics are recorded and served (`metrics:`).
    public var metrics: MetricsConfiguration
    /// The file this came from, for messages ("<inline>" when parsed from a string).
    public var sourceFile: String

    public init(
        listen: ListenAddress,
        adminListen: ListenAddress? = nil,
        workers: Int = 1,
        http: HTTPSettings = HTTPSettings(),
        functions: [FunctionConfiguration],
        rules: RulesConfiguration? = nil,
        limits: LimitsConfiguration? = nil,
        adminToken: String? = nil,
        logging: LoggingConfiguration = LoggingConfiguration(),
        metrics: MetricsConfiguration = MetricsConfiguration(),
        sourceFile: String = "<inline>"
    ) {
        self.adminToken = adminToken
        self.logging = logging
        self.metrics = metrics
        self.listen = listen
        self.adminListen = adminListen
        self.workers = workers
        self.http = http
        self.functions = functions
        self.rules = rules
        self.limits = limits
        self.sourceFile = sourceFile
    }
}

/// A `host:port` pair to bind. Host is an IPv4 or IPv6 literal (`[::1]:8080` form in YAML).
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Protocol limits and timeouts, with the defaults documented in the README.
public struct HTTPSettings: Sendable, Equatable {
    /// Longest request line in bytes (`max_request_line_bytes`, default 8 KiB); longer: 414.
    public var maxRequestLineBytes: Int = 8 * 1024
    /// Largest request head (request line and all header fields) in bytes (`max_header_bytes`, default 32 KiB); larger: 431.
    public var maxHeaderBytes: Int = 32 * 1024
    /// Most header fields in one request (`max_header_count`, default 100); more: 431.
    public var maxHeaderCount: Int = 100
    /// Default largest request body in bytes (`max_body_bytes`, default 10 MiB); per-function override; larger: 413.
    public var maxBodyBytes: Int = 10 * 1024 * 1024
    /// Bytes of a request body buffered for inspection (`inspection_buffer_bytes`, default 128 KiB).
    public var inspectionBufferBytes: Int = 128 * 1024
    /// Time allowed to receive a complete request head (`header_timeout_ms`, default 10 s); slower: 408.
    public var headerTimeoutMilliseconds: Int = 10_000
    /// Longest gap between body reads (`body_timeout_ms`, default 10 s); slower: 408.
    public var bodyTimeoutMilliseconds: Int = 10_000
    /// Idle keep-alive connection lifetime (`keepalive_timeout_ms`, default 60 s); then closed silently.
    public var keepAliveTimeoutMilliseconds: Int = 60_000
    /// Most client connections open at once per worker (`max_connections`, default 10,000).
    public var maxConnections: Int = 10_000

    public init() {}
}

/// One declared function: a route prefix mapped to an HTTP upstream.
public struct FunctionConfiguration: Sendable, Equatable {
    /// Unique name (`name:`), used in logs and metrics labels.
    public var name: String
    /// Path prefix (`route:`), e.g. `/function/orders`; longest prefix wins; matches on segment boundaries.
    public var route: String
    /// Allowed `Host` values (`hosts:`), lowercase, no port; empty means any host.
    public var hosts: [String]
    /// Allowed methods (`methods:`), uppercase; empty means any method. Others get 405.
    public var methods: [String]
    /// The upstream (`upstream:`), `http://host:port[/base-path]`. `https://` is refused at load for now.
    public var upstream: UpstreamAddress
    /// Whether the route prefix is removed before forwarding (`strip_prefix:`, default false).
    public var stripPrefix: Bool
    /// The function's own timeout (`timeout_ms:`, default 30 s): time allowed for the upstream response head; then 504.
    public var timeoutMilliseconds: Int
    /// Upstream connect timeout (`connect_timeout_ms:`, default 1 s); then 502... reported as 504 when timed out.
    public var connectTimeoutMilliseconds: Int
    /// Configured memory in MB (`memory_mb:`, default 128), used by cost accounting.
    public var memoryMB: Int
    /// Largest request body for this function (`max_body_bytes:`); `nil` inherits `http.max_body_bytes`.
    public var maxBodyBytes: Int?
    /// Most idle keep-alive upstream connections kept per worker (`pool.max_idle:`, default 32).
    public var poolMaxIdle: Int
    /// Most upstream connections open per worker (`pool.max_total:`, default 256); beyond that requests wait
    /// in a queue until one frees or the function timeout passes.
    public var poolMaxTotal: Int
    /// How long an idle keep-alive upstream connection is kept (`pool.idle_timeout_ms:`, default 4 s): keep it
    /// below the upstream's own keep-alive timeout, so the proxy rarely reuses a connection the upstream is
    /// closing.
    public var poolIdleTimeoutMilliseconds: Int

    public init(
        name: String,
        route: String,
        hosts: [String] = [],
        methods: [String] = [],
        upstream: UpstreamAddress,
        stripPrefix: Bool = false,
        timeoutMilliseconds: Int = 30_000,
        connectTimeoutMilliseconds: Int = 1_000,
        memoryMB: Int = 128,
        maxBodyBytes: Int? = nil,
        poolMaxIdle: Int = 32,
        poolMaxTotal: Int = 256,
        poolIdleTimeoutMilliseconds: Int = 4_000
    ) {
        self.name = name
        self.route = route
        self.hosts = hosts
        self.methods = methods
        self.upstream = upstream
        self.stripPrefix = stripPrefix
        self.timeoutMilliseconds = timeoutMilliseconds
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.memoryMB = memoryMB
        self.maxBodyBytes = maxBodyBytes
        self.poolMaxIdle = poolMaxIdle
        self.poolMaxTotal = poolMaxTotal
        self.poolIdleTimeoutMilliseconds = poolIdleTimeoutMilliseconds
    }
}

/// An `http://host:port/base` upstream.
public struct UpstreamAddress: Sendable, Equatable, CustomStringConvertible {
    /// IPv4/IPv6 literal or a name resolved at load time.
    public var host: String
    public var port: Int
    /// Path prepended to the forwarded path ("" for none; never ends with "/").
    public var basePath: String
    public init(host: String, port: Int, basePath: String = "") {
        self.host = host
        self.port = port
        self.basePath = basePath
    }
    public var description: String { "http://\(host):\(port)\(basePath)" }
}

/// `rules:` section.
public struct RulesConfiguration: Sendable, Equatable {
    public enum Mode: String, Sendable, Equatable {
        case block, detect, off
    }
    /// `mode:` block (default) | detect | off.
    public var mode: Mode
    /// `profile:` recommended | embedded | nil.
    public var profile: String?
    /// `crs_path:` where CRS lives (required by the recommended profile).
    public var crsPath: String?
    /// `files:` SecLang files or globs, loaded in order after the profile. Relative paths are resolved
    /// against the config file's directory.
    public var files: [String]
    /// `paranoia_level:` 1-4 (default 1), sets `tx.blocking_paranoia_level` for CRS.
    public var paranoiaLevel: Int
    /// Per-function overrides (`functions: {name: {mode:, paranoia_level:}}`).
    public var functionOverrides: [String: FunctionRulesOverride]
    /// `rulesets_path:` the directory holding Tollgate's `Rulesets/` (profiles and rule families); nil:
    /// found at run time (TOLLGATE_RULESETS, next to the executable, ./Rulesets, /usr/share/tollgate/Rulesets).
    public var rulesetsPath: String?

    public init(
        mode: Mode = .block,
        profile: String? = nil,
        crsPath: String? = nil,
        files: [String] = [],
        paranoiaLevel: Int = 1,
        functionOverrides: [String: FunctionRulesOverride] = [:]
    ) {
        self.mode = mode
        self.profile = profile
        self.crsPath = crsPath
        self.files = files
        self.paranoiaLevel = paranoiaLevel
        self.functionOverrides = functionOverrides
    }
}

/// Per-function rule overrides.
public struct FunctionRulesOverride: Sendable, Equatable {
    public var mode: RulesConfiguration.Mode?
    public var paranoiaLevel: Int?
    public init(mode: RulesConfiguration.Mode? = nil, paranoiaLevel: Int? = nil) {
        self.mode = mode
        self.paranoiaLevel = paranoiaLevel
    }
}

/// `logging:` section: where one JSON access line per request and the audit records of refused requests go.
public struct LoggingConfiguration: Sendable, Equatable {
    /// A log destination: standard error, nowhere, or a file (appended to).
    public enum Destination: Sendable, Equatable, CustomStringConvertible {
        case stderr
        case off
        case file(String)

        public var description: String {
            switch self {
            case .stderr: "stderr"
            case .off: "off"
            case .file(let path): path
            }
        }
    }
    /// `access_log:` stderr (default) | off | PATH.
    public var accessLog: Destination
    /// `audit_log:` stderr (default) | off | PATH.
    public var auditLog: Destination

    public init(accessLog: Destination = .stderr, auditLog: Destination = .stderr) {
        self.accessLog = accessLog
        self.auditLog = auditLog
    }
}

/// `metrics:` section: the switch for Prometheus metrics.
public struct MetricsConfiguration: Sendable, Equatable {
    /// `enabled:` (default true). False: the request path records no metric at all and the admin
    /// listener answers `/metrics` with 404 (`/healthz` and `/readyz` stay). Changing it needs a restart.
    public var enabled: Bool

    public init(enabled: Bool = true) {
        self.enabled = enabled
    }
}
