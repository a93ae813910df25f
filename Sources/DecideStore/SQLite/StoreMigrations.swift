import GRDB

/// The named migrations of the SQLite store, applied in order. A shipped migration is never edited: a schema
/// change is a new migration appended to `all`.
///
/// Other modules extend the same database by registering their own migrations after these:
///
/// ```swift
/// var migrator = StoreMigrations.migrator()
/// migrator.registerMigration("v2.runs") { db in try db.create(table: "run") { ... } }
/// let store = try SQLiteCustomerStore(path: "decide.sqlite", migrator: migrator)
/// ```
public enum StoreMigrations {
    /// The store's migrations, oldest first, as (identifier, migration).
    public static let all: [(String, @Sendable (Database) throws -> Void)] = [
        ("v1.customers", createCustomers),
        ("v1.segments", createSegments),
    ]

    /// A migrator with every store migration registered.
    public static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for (identifier, migrate) in all {
            migrator.registerMigration(identifier, migrate: migrate)
        }
        return migrator
    }

    /// The attribute catalogue and the customer table, which starts with `id` alone and gains one typed column per
    /// attribute (`ALTER TABLE ADD COLUMN`) as imports bring them.
    private static func createCustomers(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE attribute (
                name TEXT NOT NULL PRIMARY KEY COLLATE NOCASE
                    CHECK (name GLOB '[A-Za-z_]*' AND name NOT GLOB '*[^A-Za-z0-9_]*' AND name <> 'id'),
                type TEXT NOT NULL CHECK (type IN ('integer', 'real', 'text', 'boolean')),
                position INTEGER NOT NULL UNIQUE CHECK (position > 0)
            ) STRICT;
            CREATE TABLE customer (
                id TEXT NOT NULL PRIMARY KEY CHECK (id <> '')
            ) STRICT, WITHOUT ROWID;
            """)
    }

    /// Saved segments, with the segment `all` that always exists and cannot be changed or deleted.
    private static func createSegments(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE segment (
                name TEXT NOT NULL PRIMARY KEY CHECK (name <> '' AND name NOT GLOB '*[^A-Za-z0-9_.-]*'),
                description TEXT NOT NULL DEFAULT '',
                filter TEXT NOT NULL,
                created_at TEXT NOT NULL
            ) STRICT;
            INSERT INTO segment (name, description, filter, created_at)
                VALUES ('all', 'Every customer', '', strftime('%Y-%m-%d %H:%M:%f', 'now'));
            CREATE TRIGGER segment_all_kept_on_delete BEFORE DELETE ON segment WHEN old.name = 'all'
                BEGIN SELECT RAISE(ABORT, 'the segment "all" cannot be deleted'); END;
            CREATE TRIGGER segment_all_kept_on_update BEFORE UPDATE ON segment WHEN old.name = 'all'
                BEGIN SELECT RAISE(ABORT, 'the segment "all" cannot be changed'); END;
            """)
    }
}
