import Foundation
import GRDB

/// The embedded store: one SQLite file in WAL mode, shared safely by several processes (a server and a CLI).
///
/// ```swift
/// let store = try SQLiteCustomerStore(path: "decide.sqlite")
/// let count = try store.count(.expression("age >= 30 and not has_loan"))
/// ```
public struct SQLiteCustomerStore: CustomerStore {
    let pool: DatabasePool

    /// How long a connection waits for another process's write lock before giving up.
    public static let busyTimeout: TimeInterval = 30

    /// The version of the SQLite library in use, such as `3.40.1`.
    public static let sqliteVersion: String = {
        (try? DatabaseQueue().read { try String.fetchOne($0, sql: "SELECT sqlite_version()") } ?? nil) ?? "unknown"
    }()

    /// Opens (creating if needed) the store at `path` and applies the migrations it lacks.
    ///
    /// - Parameters:
    ///   - path: The database file.
    ///   - migrator: The migrations to apply: the store's own, plus any other module registered after them.
    /// - Throws: `StoreError` with code `database` when the file cannot be opened or migrated.
    public init(path: String, migrator: DatabaseMigrator = StoreMigrations.migrator()) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.prepareDatabase { db in
            db.add(function: Self.regexp)
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Space freed by deleted runs goes back to the file system (`PRAGMA incremental_vacuum`): a new file
            // takes this mode with its first table.
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL") }
        }
        pool = try Self.translatingErrors {
            let pool = try DatabasePool(path: path, configuration: configuration)
            try migrator.migrate(pool)
            try Self.convertToIncrementalVacuum(pool)
            return pool
        }
    }

    /// Converts a store made before incremental vacuuming (auto_vacuum NONE) once, with a `VACUUM`, so that deleting
    /// runs gives their space back.
    private static func convertToIncrementalVacuum(_ pool: DatabasePool) throws {
        try pool.writeWithoutTransaction { db in
            guard try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") != 2 else { return }
            try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
            try db.execute(sql: "VACUUM")
        }
    }

    /// `text REGEXP pattern`, true when `text` contains a match; each distinct pattern is compiled once.
    private static let regexp = DatabaseFunction("regexp", argumentCount: 2, pure: true) { values in
        guard let pattern = String.fromDatabaseValue(values[0]), let text = String.fromDatabaseValue(values[1]) else { return nil }
        do throws(RegexCache.InvalidPattern) {
            return try RegexCache.shared.matches(text, pattern: pattern)
        } catch {
            throw DatabaseError(message: "invalid regular expression \(AttributeValue.text(pattern))")
        }
    }

    public func schema() throws -> AttributeSchema {
        try Self.translatingErrors { try pool.read(Self.schema) }
    }

    public func importCustomers(from source: ImportSource, options: ImportOptions) throws -> ImportSummary {
        try Self.translatingErrors {
            try pool.writeWithoutTransaction { db in
                var summary: ImportSummary?
                try db.inTransaction(.immediate) {
                    summary = try SQLiteImporter(db: db, options: options).run(source)
                    return .commit
                }
                return summary!
            }
        }
    }

    public func customer(id: String) throws -> CustomerBatch {
        guard id.count <= InputLimits.textValueCharacters else {
            throw StoreError(.customerNotFound, "no customer has an id of \(id.count) characters", value: String(id.prefix(60)))
        }
        let filter = Filter.condition(FilterCondition(field: Attribute.idName, op: .eq, values: [.text(id)]))
        let batch = try sample(.filter(filter), limit: 1)
        guard !batch.customers.isEmpty else {
            throw StoreError(.customerNotFound, "no customer has the id \"\(id)\"", value: id)
        }
        return batch
    }

    public func count(_ selection: SegmentSelection) throws -> Int {
        try Self.translatingErrors {
            try pool.read { db in try Self.query(selection, in: db).count(db) }
        }
    }

    public func sample(_ selection: SegmentSelection, limit: Int) throws -> CustomerBatch {
        try Self.translatingErrors {
            try pool.read { db in try Self.query(selection, in: db).batch(db, after: "", limit: limit) }
        }
    }

    public func customerBatches(_ selection: SegmentSelection, batchSize: Int) throws -> any CustomerBatchCursor {
        guard batchSize > 0 else {
            throw StoreError(.invalidArgument, "the batch size must be at least 1, not \(batchSize)", value: String(batchSize))
        }
        return try Self.translatingErrors {
            let snapshot = try pool.makeSnapshot()
            let (query, count) = try snapshot.read { db in
                let query = try Self.query(selection, in: db)
                return (query, try query.count(db))
            }
            return SQLiteCustomerBatchCursor(snapshot: snapshot, query: query, count: count, batchSize: batchSize)
        }
    }

    /// The customer attributes, `id` first.
    static func schema(_ db: Database) throws -> AttributeSchema {
        let rows = try Row.fetchAll(db, sql: "SELECT name, type FROM attribute ORDER BY position")
        return AttributeSchema(attributesAfterID: rows.compactMap { row in
            AttributeType(rawValue: row["type"]).map { Attribute(name: row["name"], type: $0) }
        })
    }

    /// The query for `selection`, its filter parsed and validated against the current schema.
    static func query(_ selection: SegmentSelection, in db: Database) throws -> SQLiteCustomerQuery {
        let schema = try schema(db)
        var saved: String?
        if case .named(let name) = selection { saved = try segment(named: name, in: db).filter }
        return SQLiteCustomerQuery(schema: schema, filter: try selection.validatedFilter(schema: schema, savedFilter: saved))
    }

    /// `text` parsed and validated against `schema`.
    static func validatedFilter(_ text: String, schema: AttributeSchema) throws -> Filter {
        try SegmentSelection.expression(text).validatedFilter(schema: schema, savedFilter: nil)
    }

    /// Runs `body`, turning database failures into `StoreError`s; filter, import and store errors pass through.
    static func translatingErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw StoreError(.database, "database: \(error.message ?? error.description)")
        }
    }
}
