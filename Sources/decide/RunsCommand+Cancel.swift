import ArgumentParser
import DecideStore
import RunEngine

extension RunsCommand {
    /// `decide runs cancel ID`: asks the process executing a run to stop it.
    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a run; the process executing it stops within about two seconds, keeping partial results."
        )

        @OptionGroup var store: StoreOptions
        @Argument(help: "The run's id.") var id: String
        @Flag(help: "Print the run document as JSON.") var json = false

        func run() async throws {
            let store = try await RunsCommand.openStore(self.store)
            let record = try await RunExecutor(store: store).cancel(runId: id)
            if json { return try JSONOutput.print(try await RunDocument(record, store: store)) }
            print("Cancel requested for run \(id).")
        }
    }
}
