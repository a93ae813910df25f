import ArgumentParser
import DecideStore
import Foundation

/// `decide runs`: list, inspect, read, export, compare, cancel, resume, delete and prune runs.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List, inspect, read, export, compare, cancel, resume, delete and prune runs.",
        subcommands: [
            List.self, Show.self, Results.self, Export.self, Compare.self, Cancel.self, Resume.self, Delete.self,
            Prune.self,
        ]
    )

    /// Seconds without a heartbeat after which a running run's process is taken as gone
    /// (`DECIDE_RUN_LEASE_SECONDS`, default 30).
    static var leaseSeconds: Double {
        ProcessInfo.processInfo.environment["DECIDE_RUN_LEASE_SECONDS"].flatMap(Double.init) ?? 30
    }

    /// Opens the store and marks the runs whose process stopped as interrupted, as every command that looks at
    /// runs does.
    static func openStore(_ options: StoreOptions) throws -> SQLiteCustomerStore {
        let store = try options.open()
        _ = try store.markInterrupted(olderThan: leaseSeconds)
        return store
    }
}
