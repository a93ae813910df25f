import ArgumentParser
import DecideStore

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
            try CommandFailure.reportingStoreErrors {
                let record = try store.run(id: id)
                switch record.status {
                case .pending:
                    try store.transition(runId: id, to: .cancelled, message: "cancelled before it started", error: nil)
                case .running:
                    try store.requestCancel(runId: id)
                default:
                    throw CommandFailure.report(ValidationError("run \(id) has already finished (\(record.status.rawValue))"),
                                                exitCode: CommandFailure.failed)
                }
            }
            print("Cancel requested for run \(id).")
        }
    }
}
