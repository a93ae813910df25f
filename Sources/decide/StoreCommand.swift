import ArgumentParser
import DecideStore
import DecideText
import Foundation

/// `decide store`: operations on a whole store.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Operations on a whole store.",
        subcommands: [Copy.self]
    )

    /// `decide store copy --from SOURCE --to TARGET`.
    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a whole store (customers, segments, runs and their results, interactions) into a new, empty one.",
            discussion: """
                SOURCE and TARGET are SQLite files or postgresql:// URLs, either way. The target must be empty; runs \
                still running or interrupted must end (or be cancelled) first. Exit 1 when the copy fails, 2 for \
                invalid input.
                """
        )

        @Option(help: "The store to copy: a SQLite file or a postgresql:// URL.") var from: String
        @Option(help: "The empty store to copy into: a SQLite file or a postgresql:// URL.") var to: String
        @Flag(help: "Print the summary as JSON.") var json = false

        func run() async throws {
            let sourceLocation = try StoreLocation(parsing: from)
            let targetLocation = try StoreLocation(parsing: to)
            guard sourceLocation != targetLocation else { throw CommandFailure.InvalidInput("--from and --to are the same store") }
            if case .sqlite(let path) = sourceLocation, !FileManager.default.fileExists(atPath: path) {
                throw CommandFailure.InvalidInput("no store at \(path)")
            }
            let source = try await sourceLocation.open()
            let target = try await targetLocation.open()
            let quiet = json
            let summary = try await StoreCopy.copy(from: source, to: target) { step in
                if !quiet {
                    var standardError = StandardError()
                    print("decide store copy: \(step)", to: &standardError)
                }
            }
            if json { return try JSONOutput.print(summary) }
            print("Copied \(summary.customers) customers, \(summary.segments) segments, \(summary.runs) runs (\(summary.results) customer results), \(summary.interactions) interactions.")
        }
    }
}
