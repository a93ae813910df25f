import DecideStore
import Foundation

/// A store in a fresh temporary directory, with helpers to write import files next to it.
struct TemporaryStore {
    let directory: URL
    let store: SQLiteCustomerStore

    /// The database file.
    var path: String { directory.appendingPathComponent("decide.sqlite").path }

    /// Creates an empty store.
    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("decide-store-tests-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try SQLiteCustomerStore(path: directory.appendingPathComponent("decide.sqlite").path)
    }

    /// A store holding the `people.csv` fixture.
    static func withPeople() throws -> TemporaryStore {
        let temporary = try TemporaryStore()
        _ = try temporary.store.importCustomers(from: .file(fixture("people.csv")), options: ImportOptions())
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
    func ids(_ selection: SegmentSelection) throws -> [String] {
        try store.sample(selection, limit: 1_000_000).customers.map(\.id)
    }

    /// The ids the text filter `expression` selects, in order.
    func ids(_ expression: String) throws -> [String] {
        try ids(.expression(expression))
    }
}
