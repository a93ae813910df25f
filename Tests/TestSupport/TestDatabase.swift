import DecideStore
import Foundation
import PostgresNIO

/// The stores the store and run suites run against: SQLite always, PostgreSQL when `DECIDE_TEST_POSTGRES` names a
/// server (`make test` starts a throwaway cluster and sets it).
public enum StoreKind: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite, postgres

    /// The kinds this test run has.
    public static var available: [StoreKind] {
        ProcessInfo.processInfo.environment["DECIDE_TEST_POSTGRES"] == nil ? [.sqlite] : [.sqlite, .postgres]
    }

    public var description: String { rawValue }
}

/// A new, empty store of a kind: a SQLite file in a directory, or a new database on the test PostgreSQL server.
public enum TestDatabase {
    /// Where a new store of `kind` is: `directory/decide.sqlite`, or the URL of a database created for it.
    public static func make(_ kind: StoreKind, in directory: URL) async throws -> String {
        guard kind == .postgres, let base = ProcessInfo.processInfo.environment["DECIDE_TEST_POSTGRES"] else {
            return directory.appendingPathComponent("decide.sqlite").path
        }
        let location = try PostgresLocation(parsing: base)
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let configuration = PostgresConnection.Configuration(
            unixSocketPath: location.socketPath ?? "", username: location.user, password: location.password,
            database: location.database)
        let logger = PostgresCustomerStore.quietLogger
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        try await connection.close()
        return base.replacingOccurrences(of: "/\(location.database)?", with: "/\(name)?")
    }
}
