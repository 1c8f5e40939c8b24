import ArgumentParser

@main
struct Tollgate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tollgate: a serverless-aware web application firewall.",
        subcommands: [FTWCommand.self]
    )
}
