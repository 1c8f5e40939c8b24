import Dispatch
import Foundation
import Logging
import TollgateConfig

/// Reload and shutdown for a running `serve`, driven by signals on one serial queue.
final class ServeControl: @unchecked Sendable {
    private let proxy: any ServingProxy
    private let source: ConfigurationSource
    private let echoPort: Int?
    private let drainTimeoutMilliseconds: Int
    private let logger: Logger
    private let finished = DispatchSemaphore(value: 0)
    // Guarded by `lock`.
    private let lock = NSLock()
    private var draining = false
    private var exitStatus: Int32 = 0

    init(
        proxy: any ServingProxy, source: ConfigurationSource, echoPort: Int?, drainTimeoutMilliseconds: Int,
        logger: Logger
    ) {
        self.proxy = proxy
        self.source = source
        self.echoPort = echoPort
        self.drainTimeoutMilliseconds = drainTimeoutMilliseconds
        self.logger = logger
    }

    /// Blocks the calling thread until shutdown completes; returns the exit status.
    func waitUntilFinished() -> Int32 {
        finished.wait()
        lock.lock()
        defer { lock.unlock() }
        return exitStatus
    }

    /// SIGHUP: load the file again; swap it in when valid, keep the old one otherwise.
    func reload() {
        lock.lock()
        let isDraining = draining
        lock.unlock()
        guard !isDraining else { return }
        guard source.path != nil else {
            logger.notice("SIGHUP: the built-in demo configuration has no file to reload")
            return
        }
        logger.info("SIGHUP: reloading configuration", metadata: ["config": "\(source.path ?? "")"])
        guard var configuration = source.load(logger: logger) else {
            logger.error("reload refused: the previous configuration keeps serving")
            return
        }
        if let echoPort {
            configuration = DemoWiring.pointDemoUpstreams(configuration, toPort: echoPort)
        }
        do {
            try proxy.reload(configuration)
            logger.notice(
                "configuration reloaded",
                metadata: ["functions": "\(configuration.functions.count)", "config": "\(configuration.sourceFile)"])
        } catch {
            logger.error(
                "reload refused by the proxy: the previous configuration keeps serving", metadata: ["error": "\(error)"]
            )
        }
    }

    /// SIGTERM/SIGINT: drain, then finish. A second signal finishes at once with status 1.
    func drain(signalName: String) {
        lock.lock()
        if draining {
            exitStatus = 1
            lock.unlock()
            logger.warning("\(signalName) again: exiting without waiting for in-flight requests")
            finished.signal()
            return
        }
        draining = true
        lock.unlock()
        logger.notice(
            "\(signalName): draining in-flight requests", metadata: ["drain_timeout_ms": "\(drainTimeoutMilliseconds)"])
        let finished = self.finished
        let logger = self.logger
        proxy.shutdown(gracePeriodMilliseconds: drainTimeoutMilliseconds) {
            logger.info("drained")
            finished.signal()
        }
    }
}
