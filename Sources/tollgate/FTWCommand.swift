import ArgumentParser

/// `tollgate ftw`: runs go-ftw regression tests in process. (Stub; the rule-engine work replaces it.)
struct FTWCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ftw", abstract: "Run go-ftw regression tests.")
    func run() throws { throw ExitCode.failure }
}
