import ArgumentParser
import DecideStore
import Foundation

/// `decide runs`: list, inspect, read, export, compare, cancel, resume, wait for, delete and prune runs.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List, inspect, read, export, compare, cancel, resume, wait for, delete and prune runs.",
        subcommands: [
            List.self, Show.self, Results.self, Export.self, Compare.self, Cancel.self, Resume.self, Wait.self, Delete.self,
            Prune.self, Release.self,
        ]
    )

    /// The lease from `DECIDE_RUN_LEASE_SECONDS` (default 30) and `DECIDE_CHUNK_ATTEMPTS` (default 3): how long a
    /// process's claims last without a heartbeat (and so when its runs count as interrupted), and how often a chunk
    /// may be abandoned before its run fails.
    static func lease() throws -> LeasePolicy {
        try LeasePolicy.fromEnvironment()
    }

    /// Opens the store and marks the runs no live process can go on with as interrupted, as every command that
    /// looks at runs does.
    static func openStore(_ options: StoreOptions) async throws -> any RunQueueStore {
        let store = try await options.open()
        _ = try await store.markInterrupted(olderThan: try lease().seconds)
        return store
    }
}
