import ArgumentParser

@main
struct Tollgate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tollgate",
        abstract: "A serverless-aware web application firewall: a strict HTTP/1.1 reverse proxy in front of functions.",
        discussion: """
            Tollgate sits in front of HTTP function endpoints. Only the routes declared in its YAML \
            configuration exist; every other path gets 404. Malformed, ambiguous or oversized requests are \
            refused before they reach a function.

            Start with the built-in demo (an echo function behind the proxy on 127.0.0.1:8080):

              tollgate serve --demo
              curl -s 'http://127.0.0.1:8080/function/echo/hello?name=world'

            Then write your own configuration (see Examples/full.yaml for every key) and check it:

              tollgate check --config tollgate.yaml
              tollgate serve --config tollgate.yaml
            """,
        version: TollgateVersion.current,
        subcommands: [ServeCommand.self, CheckCommand.self, EchoCommand.self, FTWCommand.self]
    )
}
