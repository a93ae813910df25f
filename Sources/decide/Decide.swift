import ArgumentParser
import DecideText

/// The `decide` command: runs marketing decision flows over customer audiences.
@main
struct Decide: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decide",
        abstract: "Run marketing decision flows (Lua) over customer audiences.",
        version: DecideVersion.description,
        subcommands: [
            RunCommand.self, RunsCommand.self, FlowsCommand.self, CustomersCommand.self, SegmentsCommand.self,
            ReplCommand.self, ServeCommand.self, WorkerCommand.self, WorkersCommand.self, StoreCommand.self,
            InteractionsCommand.self,
        ]
    )

    /// Parses and runs the command. Decide's own errors print as `decide: <error>` with the exit code
    /// ``CommandFailure/exitCode(for:)`` gives them; a usage error (an unknown option, a missing argument, a failed
    /// validation) is invalid input like any other: its message and usage go to standard error and the exit code
    /// is 2, not ArgumentParser's 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            var standardError = StandardError()
            if CommandFailure.isDecideError(error) {
                print("decide: \(error)", to: &standardError)
                exit(withError: CommandFailure.exitCode(for: error))
            }
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            print(fullMessage(for: error), to: &standardError)
            exit(withError: CommandFailure.invalidInput)
        }
    }
}
