import CTollgateSystem
import Dispatch
import Foundation
import Logging
import Synchronization
import TollgateConfig
import TollgateMetrics
import TollgateRules

/// Why the gateway could not start or reload; `code` is stable.
public struct GatewayError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// The ruleset did not load (`ruleset` names file, line and problem).
        case ruleset
        /// The proxy refused (bind, upstream resolution, limits, listen address change).
        case proxy
        /// A log file could not be opened.
        case logging
    }
    public var code: Code
    public var message: String
    public var ruleset: RulesetError?

    public init(_ code: Code, _ message: String, ruleset: RulesetError? = nil) {
        self.code = code
        self.message = message
        self.ruleset = ruleset
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

/// Tollgate as one product: the proxy with the rule engine, limits, metrics, logs and the admin listener.
///
/// `start`, `reload` and `shutdown` may be called from any thread. A reload composes the new ruleset first:
/// if it (or the new configuration) is refused, the old configuration AND the old ruleset keep serving.
public final class Gateway: Sendable {
    /// The registry (unused and not served when `metricsEnabled` is false).
    public let metrics: TollgateMetrics
    /// `metrics.enabled` of the configuration the gateway started with (a reload cannot change it).
    public let metricsEnabled: Bool
    public let health: HealthState
    public let proxy: ProxyServer
    public let admin: AdminListener?
    private let logger: Logger
    private let observers: RuleObservers
    private let environment: [String: String]
    private struct State {
        var configuration: TollgateConfiguration
        var inspector: RuleInspector?
        var storeSnapshot = StoreSnapshot()
    }
    private let state: Mutex<State>

    /// - Parameters:
    ///   - metrics: the registry (one per process; tests make their own).
    ///   - accessLog / auditLog: sinks; nil: as `configuration.logging` says (`LogSinks.make`).
    public init(
        configuration: TollgateConfiguration, logger: Logger, metrics: TollgateMetrics,
        accessLog: (any LogSink)?? = nil, auditLog: (any LogSink)?? = nil,
        hasher: ClientKeyHasher = ClientKeyHasher(secret: (0..<16).map { _ in UInt8.random(in: 0...255) }),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(GatewayError) {
        self.metrics = metrics
        self.metricsEnabled = configuration.metrics.enabled
        self.health = HealthState()
        self.logger = logger
        self.environment = environment
        let access: (any LogSink)?
        let audit: (any LogSink)?
        do {
            access = try accessLog ?? LogSinks.make(configuration.logging.accessLog)
            audit = try auditLog ?? LogSinks.make(configuration.logging.auditLog)
        } catch {
            throw GatewayError(.logging, "\(error)")
        }
        let served = metricsEnabled ? metrics : nil
        self.observers = RuleObservers(metrics: served, auditLog: audit, hasher: hasher)
        let inspector = try Self.makeInspector(configuration, observers: observers, environment: environment)
        // Metrics off and no access log: no observability at all (the request path skips it whole).
        let observability =
            served == nil && access == nil
            ? nil : ProxyObservability(metrics: served, accessLog: access, hasher: hasher)
        self.proxy = ProxyServer(
            configuration: configuration, logger: logger, inspector: inspector, observability: observability)
        let health = self.health
        if let address = configuration.adminListen {
            self.admin = AdminListener(
                address: address,
                endpoints: AdminEndpoints(metrics: served, health: health, bearerToken: configuration.adminToken),
                logger: logger)
        } else {
            self.admin = nil
        }
        self.state = Mutex(State(configuration: configuration, inspector: inspector))
        health.setConfigLoaded(true)
        health.setRulesLoaded(true)
        if inspector == nil { metrics.setRuleCount(0) }
    }

    /// Composes and compiles the ruleset of `configuration` into an inspector (nil: no rules, or mode off
    /// everywhere).
    static func makeInspector(
        _ configuration: TollgateConfiguration, observers: RuleObservers, environment: [String: String]
    ) throws(GatewayError) -> RuleInspector? {
        guard let rules = configuration.rules else { return nil }
        if rules.mode == .off && !rules.functionOverrides.values.contains(where: { $0.mode != nil && $0.mode != .off })
        {
            return nil
        }
        let ruleSet: RuleSet?
        do {
            ruleSet = try RulesetComposer.compose(configuration, environment: environment)
        } catch {
            throw GatewayError(.ruleset, error.description, ruleset: error)
        }
        guard let ruleSet else { return nil }
        let inspector = RuleInspector(ruleSet: ruleSet, rules: rules, observers: observers)
        releaseLoadGarbage()
        return inspector
    }

    /// Returns the heap the ruleset compiler freed (its temporary tries and parse trees, several MiB with CRS)
    /// to the system, so resident memory reflects the loaded rules rather than the peak of loading them.
    static func releaseLoadGarbage() {
        _ = tollgate_malloc_trim()
    }

    /// Starts the proxy and the admin listener.
    public func start() throws(GatewayError) {
        do {
            try proxy.start()
            try admin?.start()
        } catch {
            throw GatewayError(.proxy, error.description)
        }
        health.setPoolsUsable(true)
        if let admin, metricsEnabled {
            admin.onScrape = { [weak self] in
                self?.syncStoreMetrics()
                self?.syncBudgetMetrics()
            }
        }
    }

    /// The bound client port.
    public var listeningPort: Int { proxy.listeningPort }
    /// The bound admin port (0 without an admin listener).
    public var adminPort: Int { admin?.listeningPort ?? 0 }
    /// Rules in the ruleset now serving (0: none).
    public var ruleCount: Int { state.withLock { $0.inspector?.ruleCount ?? 0 } }

    /// Swaps in a new configuration and its ruleset atomically; throws (keeping the old ones) when either
    /// is refused.
    public func reload(_ configuration: TollgateConfiguration) throws(GatewayError) {
        if configuration.metrics.enabled != metricsEnabled {
            logger.warning(
                "metrics.enabled changes need a restart; keeping metrics \(metricsEnabled ? "on" : "off")")
        }
        let inspector: RuleInspector?
        do {
            inspector = try Self.makeInspector(configuration, observers: observers, environment: environment)
        } catch {
            metrics.recordReload(.ruleset, success: false)
            metrics.recordReload(.config, success: false)
            // The old ruleset's counters stay registered: building the failed one registered nothing.
            logger.error("reload refused: ruleset does not load", metadata: ["error": "\(error)"])
            throw error
        }
        do {
            try proxy.reload(configuration, inspector: inspector)
        } catch {
            metrics.recordReload(.config, success: false)
            // Restore the old ruleset's rule counters.
            if let old = state.withLock({ $0.inspector }) {
                _ = metrics.configureRules(ids: old.engine.ruleSet.ruleIDs)
            }
            throw GatewayError(.proxy, error.description)
        }
        state.withLock {
            $0.configuration = configuration
            $0.inspector = inspector
        }
        if inspector == nil { metrics.setRuleCount(0) }
        metrics.recordReload(.config, success: true)
        if configuration.rules != nil { metrics.recordReload(.ruleset, success: true) }
        admin?.update(
            endpoints: AdminEndpoints(
                metrics: metricsEnabled ? metrics : nil, health: health, bearerToken: configuration.adminToken))
    }

    /// Counts a reload whose configuration file did not validate (it never reached `reload`).
    public func recordRefusedConfiguration() {
        metrics.recordReload(.config, success: false)
    }

    /// Drains and stops (see `ProxyServer.shutdown`).
    public func shutdown(gracePeriod: Duration) async {
        health.setDraining(true)
        await proxy.shutdown(gracePeriod: gracePeriod)
        admin?.stop()
    }

    /// Blocking variant (never from a worker queue).
    public func shutdownBlocking(gracePeriod: Duration) {
        health.setDraining(true)
        proxy.shutdownBlocking(gracePeriod: gracePeriod)
        admin?.stop()
    }

    // MARK: Store metrics (copied at scrape time)

    struct StoreSnapshot {
        var errors: [String: UInt64] = [:]
        var unavailableSeconds: Double = 0
    }

    /// Copies the Redis limit store's counters into the registry (called before each scrape).
    func syncStoreMetrics() {
        guard let counters = proxy.limitStoreCounters else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        let errors = counters.errorsByKind
        let seconds = counters.unavailableSeconds(now: now)
        let failingOpen = counters.downSince.load(ordering: .relaxed) != 0
        let previous = state.withLock { state -> StoreSnapshot in
            let old = state.storeSnapshot
            state.storeSnapshot = StoreSnapshot(errors: errors, unavailableSeconds: seconds)
            return old
        }
        for (code, count) in errors {
            let delta = count - min(count, previous.errors[code] ?? 0)
            guard delta > 0 else { continue }
            let kind: StoreErrorKind
            switch code {
            case "timeout": kind = .timeout
            case "protocol_violation", "unexpected_reply": kind = .protocolError
            case "server": kind = .script
            default: kind = .connect
            }
            for _ in 0..<delta { metrics.recordStoreError(kind: kind) }
        }
        metrics.setFailingOpen(failingOpen)
        if seconds > previous.unavailableSeconds { metrics.addFailOpenSeconds(seconds - previous.unavailableSeconds) }
    }
}

/// Log sinks for `logging:` destinations.
public enum LogSinks {
    public struct OpenError: Error, CustomStringConvertible {
        public let path: String
        public let errno: Int32
        public var description: String { "cannot open log file \(path): errno \(errno)" }
    }

    /// stderr, nothing, or a file opened for appending (created 0640).
    public static func make(_ destination: LoggingConfiguration.Destination) throws(OpenError) -> (any LogSink)? {
        switch destination {
        case .stderr: return FileDescriptorLogSink.standardError
        case .off: return nil
        case .file(let path):
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
            guard fd >= 0 else { throw OpenError(path: path, errno: errno) }
            return FileDescriptorLogSink(fileDescriptor: fd)
        }
    }
}
