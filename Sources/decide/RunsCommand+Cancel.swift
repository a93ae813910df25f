import ArgumentParser
import DecideStore
import RunEngine

extension RunsCommand {
    /// `decide runs cancel ID`: asks the process executing a run to stop it.
    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a run; the process executing it stops within about two seconds, keeping partial results."
        )

        @OptionGroup var store: StoreOptions
        @Argument(help: "The run's id.") var id: String
        @Flag(help: "Print the run document as JSON.") var json = false

        func run() throws {
            let store = try RunsCommand.openStore(self.store)
            let record = try RunExecutor(store: store).cancel(runId: id)
            if json { return try JSONOutput.print(try RunDocument(record, store: store)) }
            print("Cancel requested for run \(id).")
        }
    }
}
