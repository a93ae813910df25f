import ArgumentParser
import DecideStore
import DecideText
import RunEngine

extension RunsCommand {
    /// `decide runs show ID`: one run's status, progress, summary and breakdowns.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a run: status, progress, summary and breakdowns.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "The run's id.") var id: String
        @Flag(help: "Print the run document as JSON.") var json = false

        func run() async throws {
            let store = try await RunsCommand.openStore(self.store)
            let document = try await RunDocument(try await store.run(id: id), store: store)
            if json { return try JSONOutput.print(document) }
            print(RunText.render(document))
        }
    }
}
