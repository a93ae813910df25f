import ArgumentParser
import DecideStore
import RunEngine

extension RunsCommand {
    /// `decide runs release ID`: a completed run's recommendations into the interaction history, exactly once.
    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Release a completed run into the interaction history: one sent interaction per recommendation.",
            discussion: """
                Each recommendation becomes a sent interaction of its customer, offer and channel, at the run's \
                decision time, with the id RUN:CUSTOMER:RANK. A run is released once: releasing it again, or \
                releasing a run that is not completed, exits 1 with the reason; an unknown run exits 2.
                """
        )

        @OptionGroup var store: StoreOptions
        @Argument(help: "The run's id.") var id: String
        @Flag(help: "Print the run document as JSON.") var json = false

        func run() async throws {
            let store = try await RunsCommand.openStore(self.store)
            let record = try await store.releaseRun(id: id)
            if json { return try JSONOutput.print(try await RunDocument(record, store: store)) }
            print("Released run \(id): \(record.summary.totalRecommendations) sent interactions.")
        }
    }
}
