import Foundation
import GRDB

/// Saved segments.
extension SQLiteCustomerStore {
    public func segments() throws -> [CountedSegment] {
        try Self.translatingErrors {
            try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT name FROM segment ORDER BY name").map { row in
                    try Self.countedSegment(named: row["name"], in: db)
                }
            }
        }
    }

    public func segment(named name: String) throws -> CountedSegment {
        try Self.translatingErrors {
            try pool.read { db in try Self.countedSegment(named: name, in: db) }
        }
    }

    public func saveSegment(name: String, filter: String, description: String, replace: Bool) throws -> Segment {
        try Segment.checkSaving(name: name, description: description)
        return try Self.translatingErrors {
            try pool.write { db in
                _ = try Self.validatedFilter(filter, schema: try Self.schema(db))
                let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM segment WHERE name = ?)", arguments: [name]) ?? false
                if exists && !replace {
                    throw Segment.exists(name)
                }
                try db.execute(
                    sql: """
                        INSERT INTO segment (name, description, filter, created_at) VALUES (?, ?, ?, ?)
                        ON CONFLICT (name) DO UPDATE SET
                            description = excluded.description, filter = excluded.filter, created_at = excluded.created_at
                        """,
                    arguments: [name, description, filter, Date()])
                return try Self.segment(named: name, in: db)
            }
        }
    }

    public func deleteSegment(named name: String) throws {
        try Segment.checkDeleting(name: name)
        try Self.translatingErrors {
            try pool.write { db in
                try db.execute(sql: "DELETE FROM segment WHERE name = ?", arguments: [name])
                if db.changesCount == 0 { throw Self.segmentNotFound(name) }
            }
        }
    }

    /// The saved segment `name`.
    static func segment(named name: String, in db: Database) throws -> Segment {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT name, description, filter, created_at FROM segment WHERE name = ?", arguments: [name])
        else { throw segmentNotFound(name) }
        return Segment(name: row["name"], description: row["description"], filter: row["filter"], createdAt: row["created_at"])
    }

    private static func countedSegment(named name: String, in db: Database) throws -> CountedSegment {
        CountedSegment(segment: try segment(named: name, in: db), count: try query(.named(name), in: db).count(db))
    }

    private static func segmentNotFound(_ name: String) -> StoreError {
        Segment.notFound(name)
    }
}
