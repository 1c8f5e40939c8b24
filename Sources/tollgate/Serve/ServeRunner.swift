import Dispatch
import Foundation
import Logging
import TollgateConfig
import TollgateProxy

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs `serve`: load, start the demo function and the proxy, then wait for signals.
///
/// Everything here is nonisolated on purpose: closures written in a main-actor context are inferred
/// `@MainActor` and trap when Dispatch runs them on another thread.
enum ServeRunner {
    /// Returns the process exit status.
    nonisolated static func run(_ options: ServeOptions) -> Int32 {
        SignalHandling.blockInAllThreads()
        Allocator.configure()
        let level = options.logLevel
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
        let logger = Logger(label: "tollgate")
        signal(SIGPIPE, SIG_IGN)

        let source = ConfigurationSource(path: options.configPath)
        guard var configuration = source.load(logger: logger) else { return 1 }

        var echo: DemoEchoServer?
        if options.demo {
            do {
                let server = try startEcho(logger: logger)
                echo = server
                configuration = DemoWiring.pointDemoUpstreams(configuration, toPort: server.port)
            } catch {
                logger.critical("cannot start the demo echo function", metadata: ["error": "\(error)"])
                return 1
            }
        }

        let proxy: any ServingProxy
        do {
            proxy = try ProxyFactory.make(configuration: configuration, logger: logger)
            try proxy.start()
        } catch let error as GatewayError where error.code == .ruleset {
            logger.critical(
                "the ruleset does not load; refusing to start",
                metadata: ["error": "\(error.ruleset.map(\.description) ?? error.message)"])
            echo?.stop()
            return 1
        } catch {
            logger.critical(
                "cannot start the proxy", metadata: ["error": "\(error)", "listen": "\(configuration.listen)"])
            echo?.stop()
            return 1
        }
        logger.info(
            "tollgate \(TollgateVersion.current) serving",
            metadata: [
                "listen": "\(configuration.listen.host):\(proxy.listeningPort)",
                "config": "\(configuration.sourceFile)",
                "allocator": "\(Allocator.name)",
                "functions": .array(
                    configuration.functions.map { .string("\($0.name) \($0.route) -> \($0.upstream)") }),
            ])
        if options.demo {
            let host =
                configuration.listen.host.contains(":") ? "[\(configuration.listen.host)]" : configuration.listen.host
            logger.notice(
                "demo ready: curl -s 'http://\(host):\(proxy.listeningPort)/function/echo/hello?name=world'")
        }

        let control = ServeControl(
            proxy: proxy, source: source, echoPort: echo?.port,
            drainTimeoutMilliseconds: options.drainTimeoutMilliseconds,
            logger: logger)
        let queue = DispatchQueue(label: "tollgate.signals")
        let signals = SignalHandling.install(
            on: queue,
            handlers: [
                SIGHUP: { control.reload() },
                SIGTERM: { control.drain(signalName: "SIGTERM") },
                SIGINT: { control.drain(signalName: "SIGINT") },
            ])
        let status = control.waitUntilFinished()
        signals.forEach { $0.cancel() }
        echo?.stop()
        logger.info("tollgate stopped", metadata: ["exit_status": "\(status)"])
        return status
    }

    private static func startEcho(logger: Logger) throws(DemoEchoError) -> DemoEchoServer {
        var echoLogger = logger
        echoLogger[metadataKey: "component"] = "demo-echo"
        let server: DemoEchoServer
        do {
            server = try DemoEchoServer.start(port: TollgateConfiguration.demoEchoPort, logger: echoLogger)
        } catch  where error.code == .bind {
            echoLogger.warning(
                "port \(TollgateConfiguration.demoEchoPort) is taken; the demo echo function uses a free port instead")
            server = try DemoEchoServer.start(port: 0, logger: echoLogger)
        }
        echoLogger.info("demo echo function listening", metadata: ["listen": "127.0.0.1:\(server.port)"])
        return server
    }
}

/// Where the configuration comes from: a file, or the built-in demo text.
struct ConfigurationSource: Sendable {
    let path: String?

    /// Loads and validates; logs every error and returns nil when invalid.
    func load(logger: Logger) -> TollgateConfiguration? {
        do {
            if let path {
                return try TollgateConfiguration.load(path: path)
            }
            return try TollgateConfiguration.parse(yaml: TollgateConfiguration.demoYAML, sourceFile: "<demo>")
        } catch {
            logger.error(
                "configuration is invalid",
                metadata: ["config": "\(path ?? "<demo>")", "errors": "\(error.issues.count)"])
            for issue in error.issues {
                logger.error(
                    "\(issue)",
                    metadata: ["config.error.code": "\(issue.code.rawValue)", "config.error.key": "\(issue.keyPath)"])
            }
            return nil
        }
    }
}

/// Rewrites the demo's upstreams when the echo function had to take another port.
enum DemoWiring {
    static func pointDemoUpstreams(_ configuration: TollgateConfiguration, toPort port: Int) -> TollgateConfiguration {
        guard port != TollgateConfiguration.demoEchoPort else { return configuration }
        var rewired = configuration
        for index in rewired.functions.indices {
            let upstream = rewired.functions[index].upstream
            if upstream.port == TollgateConfiguration.demoEchoPort
                && ["127.0.0.1", "localhost"].contains(upstream.host)
            {
                rewired.functions[index].upstream.port = port
            }
        }
        return rewired
    }
}
