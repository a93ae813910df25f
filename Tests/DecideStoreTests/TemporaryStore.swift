import DecideStore
import Foundation
import TestSupport

/// A store in a fresh temporary directory (SQLite) or a fresh database (PostgreSQL), with helpers to write import
/// files next to it.
struct TemporaryStore {
    let directory: URL
    let kind: StoreKind
    let store: any RunQueueStore
    /// The SQLite store, for the tests of what only SQLite has (its file, its pragmas).
    let sqlite: SQLiteCustomerStore?

    /// The database file (SQLite).
    var path: String { directory.appendingPathComponent("decide.sqlite").path }

    /// An empty SQLite store.
    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("decide-store-tests-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let sqlite = try SQLiteCustomerStore(path: directory.appendingPathComponent("decide.sqlite").path)
        self.sqlite = sqlite
        store = sqlite
        kind = .sqlite
    }

    private init(directory: URL, postgres: any RunQueueStore) {
        self.directory = directory
        store = postgres
        sqlite = nil
        kind = .postgres
    }

    /// An empty store of `kind`: for PostgreSQL, a new database on the test server.
    static func make(_ kind: StoreKind) async throws -> TemporaryStore {
        guard kind == .postgres else { return try TemporaryStore() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("decide-store-tests-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = try await TestDatabase.make(.postgres, in: directory)
        return TemporaryStore(directory: directory, postgres: try await StoreLocation(parsing: database).open())
    }

    /// A store of `kind` holding the `people.csv` fixture.
    static func withPeople(_ kind: StoreKind = .sqlite) async throws -> TemporaryStore {
        let temporary = try await make(kind)
        _ = try await temporary.store.importCustomers(from: .file(fixture("people.csv")), options: ImportOptions())
        return temporary
    }

    /// The URL of a fixture file.
    static func fixture(_ name: String) -> URL {
        Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)!
    }

    /// Writes `contents` to a file `name` in the directory and returns its URL.
    func write(_ name: String, _ contents: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data(contents.utf8).write(to: url)
        return url
    }

    /// The ids `selection` selects, in order.
    func ids(_ selection: SegmentSelection) async throws -> [String] {
        try await store.sample(selection, limit: 1_000_000).customers.map(\.id)
    }

    /// The ids the text filter `expression` selects, in order.
    func ids(_ expression: String) async throws -> [String] {
        try await ids(.expression(expression))
    }
}
