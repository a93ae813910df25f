import ArgumentParser
import DecideServer
import Hummingbird
import Logging

/// `decide serve`: the REST API over the same store and flows as the other commands.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the REST API (docs/api.md); runs execute in the background, a few at a time.",
        discussion: "Stops gracefully on SIGTERM or SIGINT: runs executing stop after their current batch and can be resumed."
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var flows: FlowOptions
    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on.") var port = 8080
    @Option(help: "How many runs execute at once; later runs wait, pending, first in first out.") var concurrentRuns = 1

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard (1...64).contains(concurrentRuns) else { throw ValidationError("--concurrent-runs must be 1 to 64") }
    }

    func run() async throws {
        var logger = Logger(label: "decide")
        logger.logLevel = .info
        let app = buildApplication(
            configuration: ServerConfiguration(host: host, port: port, concurrentRuns: concurrentRuns,
                                               leaseSeconds: RunsCommand.leaseSeconds),
            store: try store.open(), library: flows.library, logger: logger
        )
        try await app.runService()
    }
}
