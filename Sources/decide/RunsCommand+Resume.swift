import ArgumentParser
import DecideStore
import DecideText
import RunEngine

extension RunsCommand {
    /// `decide runs resume ID`: continues an interrupted run from its last committed batch.
    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resume an interrupted run from its last committed batch.",
            discussion: "Exit 0 when the run completed, 1 when it failed or was cancelled, 2 when it cannot be resumed."
        )

        @OptionGroup var store: StoreOptions
        @Argument(help: "The run's id.") var id: String
        @Flag(help: "No progress display.") var quiet = false
        @Flag(help: "Print the run document as JSON.") var json = false

        func run() async throws {
            let store = try await RunsCommand.openStore(self.store)
            let display = ProgressDisplay(quiet: quiet || json)
            let ended = try await ForegroundRun.execute(id, store: store, onProgress: display.show)
            display.finish()
            let document = try await RunDocument(ended, store: store)
            if json { try JSONOutput.print(document) } else { print(RunText.render(document)) }
            if ended.status != .completed { throw CommandFailure.failed }
        }
    }
}
