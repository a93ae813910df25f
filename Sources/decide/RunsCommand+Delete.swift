import ArgumentParser
import DecideStore
import Foundation

extension RunsCommand {
    /// `decide runs delete ID`: deletes a finished run with its results, giving their space back.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a finished run with its results and breakdowns (not a pending or running one).",
            discussion: "Exit 1 for a pending or running run (cancel it first), 2 for an unknown one."
        )

        @OptionGroup var store: StoreOptions
        @Argument(help: "The run's id.") var id: String
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            let store = try await RunsCommand.openStore(self.store)
            try await store.deleteRun(id: id)
            if json { return try JSONOutput.print(["deleted": [id]]) }
            print("Deleted run \(id).")
        }
    }

    /// `decide runs prune --older-than 30d [--keep N] [--dry-run]`: deletes old finished runs.
    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete finished runs older than a duration (from their creation), keeping the newest.",
            discussion: "Pending and running runs are never pruned. --keep N keeps the N newest runs overall."
        )

        @OptionGroup var store: StoreOptions
        @Option(help: "How old a run must be: a number and a unit, s, m, h, d or w (30d, 12h).")
        var olderThan: RunAge
        @Option(help: "Keep the N newest runs whatever their age.") var keep = 0
        @Flag(help: "List the runs that would be deleted, and delete nothing.") var dryRun = false
        @Flag(help: "Print the result as JSON.") var json = false

        func validate() throws {
            guard keep >= 0 else { throw ValidationError("--keep must be 0 or more") }
        }

        func run() async throws {
            let store = try await RunsCommand.openStore(self.store)
            let ids = try await store.pruneRuns(
                createdBefore: Date().addingTimeInterval(-olderThan.seconds), keepingNewest: keep, dryRun: dryRun)
            if json { return try JSONOutput.print([dryRun ? "wouldDelete" : "deleted": ids]) }
            print(dryRun ? "Would delete \(ids.count) runs." : "Deleted \(ids.count) runs.")
            for id in ids { print("  \(id)") }
        }
    }

    /// A duration given as a number and a unit: `30d`, `12h`, `90m`, `45s`, `2w`.
    struct RunAge: ExpressibleByArgument {
        /// The duration in seconds.
        let seconds: Double

        init?(argument: String) {
            let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604_800]
            guard let unit = argument.last, let scale = units[unit], let count = Double(argument.dropLast()),
                count >= 0, count.isFinite, count <= 100_000
            else { return nil }
            seconds = count * scale
        }
    }
}
