import ArgumentParser
import DecideServer
import Hummingbird
import Logging
import LuaRuntime
import RunEngine

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
    @Option(help: "The largest memory limit a run may ask for, in MiB.") var maxMemoryLimitMib = SandboxLimits.serverMaximum.memoryBytes >> 20
    @Option(help: "The largest instruction budget a run may ask for.") var maxInstructionBudget = SandboxLimits.serverMaximum.instructionBudget
    @Option(help: "The largest deadline a run may ask for, in seconds.") var maxDeadlineSeconds = SandboxLimits.serverMaximum.deadlineSeconds
    @Flag(help: "Serve the API and page only: runs stay pending for `decide worker` processes.") var noExecute = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard (1...64).contains(concurrentRuns) else { throw ValidationError("--concurrent-runs must be 1 to 64") }
        guard (1...(SandboxLimits.maximum.memoryBytes >> 20)).contains(maxMemoryLimitMib) else {
            throw ValidationError("--max-memory-limit-mib must be 1 to \(SandboxLimits.maximum.memoryBytes >> 20)")
        }
        guard (1...SandboxLimits.maximum.instructionBudget).contains(maxInstructionBudget) else {
            throw ValidationError("--max-instruction-budget must be 1 to \(SandboxLimits.maximum.instructionBudget)")
        }
        guard maxDeadlineSeconds > 0, maxDeadlineSeconds <= SandboxLimits.maximum.deadlineSeconds else {
            throw ValidationError("--max-deadline-seconds must be above 0 and at most \(SandboxLimits.maximum.deadlineSeconds)")
        }
    }

    func run() async throws {
        var logger = Logger(label: "decide")
        logger.logLevel = .info
        // Until the store opens, SIGTERM or Ctrl-C ends the server with exit 0; then the service group handles them.
        let stop = StopSignal()
        let signals = SignalWatch { stop.raise() }
        let opened = try await store.openRetrying(runsServices: false, until: stop) { message, retry in
            logger.warning("store unreachable, trying again", metadata: ["error": "\(message)", "retry.seconds": "\(retry)"])
        }
        signals.cancel()
        guard let opened else { return }
        let app = buildApplication(
            configuration: ServerConfiguration(
                host: host, port: port, concurrentRuns: concurrentRuns, lease: try RunsCommand.lease(),
                maximumLimits: SandboxLimits(
                    memoryBytes: maxMemoryLimitMib << 20, instructionBudget: maxInstructionBudget,
                    deadlineSeconds: maxDeadlineSeconds),
                executesRuns: !noExecute),
            store: opened,
            library: flows.library, logger: logger
        )
        try await app.runService()
    }
}
