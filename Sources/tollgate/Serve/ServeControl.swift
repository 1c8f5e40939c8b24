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
    private var done = false

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
            proxy.recordRefusedConfiguration()
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
            lock.unlock()
            logger.warning("\(signalName) again: exiting without waiting for in-flight requests")
            finish(status: 1)
            return
        }
        draining = true
        lock.unlock()
        logger.notice(
            "\(signalName): draining in-flight requests", metadata: ["drain_timeout_ms": "\(drainTimeoutMilliseconds)"])
        proxy.shutdown(gracePeriodMilliseconds: drainTimeoutMilliseconds) { [self] in
            logger.info("drained")
            finish(status: 0)
        }
        // Safety net: a shutdown that never completes must not keep the process alive.
        let limit = DispatchTime.now() + .milliseconds(drainTimeoutMilliseconds + 5_000)
        DispatchQueue.global().asyncAfter(deadline: limit) { [self] in
            if finish(status: 1) {
                logger.error("shutdown did not complete in time; exiting")
            }
        }
    }

    /// Records the exit status and releases `waitUntilFinished` once; returns false when already finished.
    @discardableResult
    private func finish(status: Int32) -> Bool {
        lock.lock()
        guard !done else {
            lock.unlock()
            return false
        }
        done = true
        exitStatus = max(exitStatus, status)
        lock.unlock()
        finished.signal()
        return true
    }
}
