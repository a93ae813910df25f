import ArgumentParser
import DecideStore
import Foundation

/// The `--db` option every command that uses the customer store shares.
struct StoreOptions: ParsableArguments {
    /// The environment variable that names the database when `--db` is not given.
    static let environmentVariable = "DECIDE_DB"

    @Option(name: .customLong("db"), help: "The SQLite database file (default: $DECIDE_DB, else ./decide.sqlite).")
    var path: String?

    /// The database path: `--db`, else `DECIDE_DB`, else `./decide.sqlite`.
    var resolvedPath: String {
        path ?? ProcessInfo.processInfo.environment[Self.environmentVariable] ?? "./decide.sqlite"
    }

    /// Opens the store, creating and migrating the file if needed.
    func open() throws -> any RunQueueStore {
        try SQLiteCustomerStore(path: resolvedPath)
    }
}
