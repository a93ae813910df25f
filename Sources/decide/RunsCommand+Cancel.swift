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

        func run() throws {
            let store = try RunsCommand.openStore(self.store)
            _ = try RunExecutor(store: store).cancel(runId: id)
            print("Cancel requested for run \(id).")
        }
    }
}
