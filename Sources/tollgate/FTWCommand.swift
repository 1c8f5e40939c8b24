import ArgumentParser
import Foundation
import TollgateFTW
import TollgateRules

/// `tollgate ftw`: runs go-ftw regression tests in process, through the proxy's HTTP parser and the engine.
struct FTWCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ftw",
        abstract: "Run go-ftw regression tests against CRS (--crs) or the rules a config loads (--config)."
    )

    @Option(
        name: .long, help: "CRS directory: loads crs-setup.conf.example and rules/*.conf with the regression setup.")
    var crs: String?

    @Option(name: .long, help: "Tollgate config file whose rules are tested.")
    var config: String?

    @Option(name: .long, help: "Overrides file: tests not passed, each with a reason (skipped).")
    var overrides: String?

    @Option(name: .long, help: "Only run tests whose id (RULE-TEST) matches this regex.")
    var include: String?

    @Flag(name: .long, help: "Print every test.")
    var verbose = false

    @Argument(help: "Test files or directories (default with --crs: DIR/tests/regression/tests).")
    var paths: [String] = []

    func run() throws {
        let ruleSet: RuleSet
        var mode = RulesMode.block
        var options = TransactionOptions()
        var testPaths = paths
        do {
            if let crs {
                ruleSet = try RegressionSetup.ruleSet(crsDirectory: crs)
                if testPaths.isEmpty { testPaths = [crs + "/tests/regression/tests"] }
            } else if let config {
                (ruleSet, mode) = try ConfigRules.load(path: config)
                options = try ConfigRules.options(path: config)
            } else {
                throw ValidationError("give --crs DIR or --config FILE")
            }
        } catch let error as RuleLoadError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
        if testPaths.isEmpty { throw ValidationError("--config needs TEST_PATH arguments") }
        let overrideList = try overrides.map { try FTWOverrides(path: $0) } ?? FTWOverrides()
        let runner = try FTWRunner(
            engine: Engine(ruleSet: ruleSet, mode: mode), overrides: overrideList,
            include: include, verbose: verbose, options: options)
        let summary = runner.run(paths: testPaths) { print($0) }
        print(summary.line)
        if summary.failed > 0 || summary.passed + summary.failed + summary.skipped == 0 {
            throw ExitCode.failure
        }
    }
}
