import ArgumentParser
import Logging
import TollgateConfig

/// `tollgate serve`: run the proxy until SIGTERM/SIGINT.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the proxy in front of the configured functions.",
        discussion: """
            Serves until SIGTERM or SIGINT, then stops accepting, lets in-flight requests finish (at most \
            --drain-timeout seconds) and exits 0. A second signal exits at once.

            SIGHUP reloads the configuration file without dropping connections. An invalid new \
            configuration is refused: every error is logged and the old configuration keeps serving.

            Logs are JSON lines on standard error.

            Examples:
              tollgate serve --demo
              tollgate serve --config /etc/tollgate/tollgate.yaml --log-level debug
              kill -HUP $(pidof tollgate)     # reload
            """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("The YAML configuration file.", valueName: "file"))
    var config: String?

    @Flag(
        help: """
            Also start the built-in echo function on 127.0.0.1:18080 (a free port if that one is taken) and, \
            without --config, use the built-in demo configuration (Examples/demo.yaml).
            """)
    var demo = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    @Option(help: ArgumentHelp("Longest time to let in-flight requests finish on shutdown.", valueName: "seconds"))
    var drainTimeout: Int = 30

    func validate() throws {
        if config == nil && !demo { throw ValidationError("Give --config FILE, or --demo to try the built-in demo.") }
        if drainTimeout < 0 || drainTimeout > 3600 { throw ValidationError("--drain-timeout must be 0-3600 seconds.") }
    }

    func run() throws {
        let options = ServeOptions(
            configPath: config, demo: demo, logLevel: logLevel, drainTimeoutMilliseconds: drainTimeout * 1000)
        let status = ServeRunner.run(options)
        if status != 0 { throw ExitCode(status) }
    }
}

/// What `serve` was asked to do.
struct ServeOptions: Sendable {
    var configPath: String?
    var demo: Bool
    var logLevel: Logger.Level
    var drainTimeoutMilliseconds: Int
}
