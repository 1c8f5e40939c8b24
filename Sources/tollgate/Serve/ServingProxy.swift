import Foundation
import Logging
import TollgateConfig
import TollgateMetrics
import TollgateProxy

/// What `serve` needs from the proxy: start, the bound port, reload and a draining shutdown.
protocol ServingProxy: AnyObject, Sendable {
    /// Binds and starts serving; throws when the listen address cannot be bound.
    func start() throws
    /// The bound client port (the configured one, or the one picked for port 0).
    var listeningPort: Int { get }
    /// Swaps in a new validated configuration without dropping connections; throws to refuse it.
    func reload(_ configuration: TollgateConfiguration) throws
    /// Counts a reload refused because the file did not validate.
    func recordRefusedConfiguration()
    /// Stops accepting, lets in-flight requests finish for at most the grace period, then calls `completion`.
    func shutdown(gracePeriodMilliseconds: Int, completion: @escaping @Sendable () -> Void)
}

extension Gateway: ServingProxy {
    func shutdown(gracePeriodMilliseconds: Int, completion: @escaping @Sendable () -> Void) {
        Task {
            await shutdown(gracePeriod: .milliseconds(gracePeriodMilliseconds))
            completion()
        }
    }
}

enum ProxyFactory {
    /// The whole product: proxy, rules, limits, metrics, logs and the admin listener. Throws `GatewayError`
    /// (a ruleset error names file, line and problem).
    static func make(configuration: TollgateConfiguration, logger: Logger) throws -> any ServingProxy {
        try Gateway(
            configuration: configuration, logger: logger,
            metrics: TollgateMetrics(
                version: TollgateVersion.current,
                revision: BuildRevision.from(environment: ProcessInfo.processInfo.environment)))
    }
}
