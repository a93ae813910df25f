import ArgumentParser
import DecideStore
import Foundation
import RunEngine

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

    /// Opens the store as a long-running process does (`decide worker`, `decide serve`): a server that cannot be
    /// reached is tried again with a backoff from 0.5 s to 30 s, each failure reported to `log` with the seconds
    /// until the next try. A malformed location still fails at once.
    ///
    /// - Returns: The store, or `nil` when `stop` was raised (a SIGTERM or Ctrl-C) before it could be opened.
    func openRetrying(
        runsServices: Bool = true, until stop: StopSignal, log: (String, Double) -> Void
    ) async throws -> (any RunQueueStore)? {
        let location = try location()
        var backoff = 0.5
        while !stop.isRaised {
            do {
                return try await location.open(runsServices: runsServices)
            } catch let error as StoreError where error.code == .database {
                log(error.message, backoff)
                await stop.wait(upTo: .milliseconds(Int(backoff * 1000)))
                backoff = min(backoff * 2, 30)
            }
        }
        return nil
    }
}
