import ArgumentParser
import TollgateConfig
import TollgateProxy

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `tollgate check`: validate a configuration file without serving.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a configuration file and print a summary.",
        discussion: """
            Loads the file exactly as `serve` would and reports every problem at once, each as \
            FILE:LINE:COLUMN: KEY.PATH: MESSAGE. Unknown keys are errors, with a suggestion when the \
            key looks like a typo. Rule files and crs_path must exist, and the ruleset the `rules:` \
            section composes (profile, generated settings, files) must load: a SecLang error is \
            reported as FILE:LINE: PROBLEM.

            Exit status: 0 when the configuration is valid, 1 when it is not.

            Examples:
              tollgate check --config /etc/tollgate/tollgate.yaml
              tollgate check --demo          # the built-in demo configuration
            """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("The YAML configuration file.", valueName: "file"))
    var config: String?

    @Flag(help: "Check the built-in demo configuration (Examples/demo.yaml) instead of a file.")
    var demo = false

    @Flag(name: .shortAndLong, help: "Print nothing when the configuration is valid.")
    var quiet = false

    func validate() throws {
        if config == nil && !demo { throw ValidationError("Give --config FILE (or --demo).") }
        if config != nil && demo { throw ValidationError("Give either --config or --demo, not both.") }
    }

    func run() throws {
        let configuration: TollgateConfiguration
        do {
            if let config {
                configuration = try TollgateConfiguration.load(path: config)
            } else {
                configuration = try TollgateConfiguration.parse(
                    yaml: TollgateConfiguration.demoYAML, sourceFile: "<demo>")
            }
        } catch {
            printError(error.description)
            throw ExitCode.failure
        }
        var ruleCount: Int?
        do {
            ruleCount = try RulesetComposer.compose(configuration)?.ruleCount
        } catch {
            printError("\(configuration.sourceFile): rules: \(error)")
            throw ExitCode.failure
        }
        if !quiet {
            print(ConfigurationSummary.render(configuration, ruleCount: ruleCount))
        }
    }
}

/// Writes a line to standard error.
func printError(_ text: String) {
    var line = Array(text.utf8)
    line.append(0x0A)
    line.withUnsafeBytes { raw in
        guard let base = raw.baseAddress else { return }
        var offset = 0
        while offset < raw.count {
            let written = write(STDERR_FILENO, base + offset, raw.count - offset)
            if written <= 0 { return }
            offset += written
        }
    }
}
