import ArgumentParser
import DecideStore
import Foundation

/// The `--db` option every command that uses the customer store shares.
struct StoreOptions: ParsableArguments {
    /// The environment variable that names the database when `--db` is not given.
    static let environmentVariable = "DECIDE_DB"

    @Option(
        name: .customLong("db"),
        help: "The store: a SQLite file, or postgresql://USER@HOST[:PORT]/DB (default: $DECIDE_DB, else ./decide.sqlite).")
    var path: String?

    /// The database path: `--db`, else `DECIDE_DB`, else `./decide.sqlite`.
    var resolvedPath: String {
        path ?? ProcessInfo.processInfo.environment[Self.environmentVariable] ?? "./decide.sqlite"
    }

    /// Where the store is: a PostgreSQL URL or a SQLite file.
    ///
    /// - Throws: `StoreError` `invalidArgument` (exit 2) for a malformed PostgreSQL URL.
    func location() throws -> StoreLocation {
        try StoreLocation(parsing: resolvedPath)
    }

    /// Opens the store, creating (SQLite) or migrating it if needed.
    func open() async throws -> any RunQueueStore {
        try await location().open()
    }
}
