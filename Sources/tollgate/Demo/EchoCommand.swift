import ArgumentParser
import Dispatch
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `tollgate echo`: only the demo echo function, e.g. as an upstream for tests and benchmarks.
struct EchoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echo",
        abstract: "Run only the built-in echo function (the demo's upstream) on loopback.",
        discussion: """
            Answers every request with a JSON description of it: method, path, query, headers and body \
            length. `?delay_ms=N` (at most 30000) delays the answer and `?status=N` (200-599) sets its \
            status, to show timeouts and errors through the proxy. Stops on SIGTERM or SIGINT.

            Example:
              tollgate echo --port 18080 &
              curl -s 'http://127.0.0.1:18080/anything?status=503'
            """
    )

    @Option(help: "Port on 127.0.0.1 (0 picks a free port and logs it).")
    var port: Int = 18080

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0-65535.") }
    }

    func run() throws {
        let status = Self.serve(port: port, level: logLevel)
        if status != 0 { throw ExitCode(status) }
    }

    nonisolated static func serve(port: Int, level: Logger.Level) -> Int32 {
        SignalHandling.blockInAllThreads()
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
        let logger = Logger(label: "tollgate.echo")
        signal(SIGPIPE, SIG_IGN)
        let server: DemoEchoServer
        do {
            server = try DemoEchoServer.start(port: port, logger: logger)
        } catch {
            logger.critical("\(error)")
            return 1
        }
        logger.info("echo function listening", metadata: ["listen": "127.0.0.1:\(server.port)"])
        let stop = DispatchSemaphore(value: 0)
        let signals = SignalHandling.install(
            on: DispatchQueue(label: "tollgate.echo.signals"),
            handlers: [SIGTERM: { stop.signal() }, SIGINT: { stop.signal() }])
        stop.wait()
        signals.forEach { $0.cancel() }
        server.stop()
        logger.info("echo function stopped")
        return 0
    }
}
