import ArgumentParser
import DecideStore
import DecideText
import Foundation
import RunEngine

extension RunsCommand {
    /// `decide runs list`: the runs, newest first.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List runs, newest first.")

        @OptionGroup var store: StoreOptions
        @Option(help: "Only runs with this status (pending, running, completed, failed, cancelled).") var status: String?
        @Option(help: "At most this many runs.") var limit = 20
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let store = try await RunsCommand.openStore(self.store)
            var wanted: RunStatus?
            if let status {
                guard let parsed = RunStatus(rawValue: status) else {
                    throw CommandFailure.InvalidInput("unknown status \"\(status)\"; use pending, running, completed, failed or cancelled")
                }
                wanted = parsed
            }
            let page = try await store.runs(status: wanted, limit: limit, offset: 0)
            var documents: [RunDocument] = []
            for run in page.runs { documents.append(try await RunDocument(run, store: store)) }
            if json { return try JSONOutput.print(RunList(runs: documents, total: page.total)) }
            print(TextTable(headers: ["ID", "NAME", "FLOW", "AUDIENCE", "STATUS", "PROGRESS", "CREATED"], rows: documents.map {
                [$0.id, $0.name, $0.flow, $0.segment ?? $0.filter ?? "", $0.status + ($0.partial ? " (partial)" : ""),
                 String(format: "%.1f%%", $0.progress.percent), ISO8601DateFormatter().string(from: $0.createdAt)]
            }).render())
        }
    }
}
