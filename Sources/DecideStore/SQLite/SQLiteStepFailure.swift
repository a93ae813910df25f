import GRDBSQLite

/// A statement step that SQLite refused, with its extended result code and message.
struct SQLiteStepFailure: Error, CustomStringConvertible {
    /// SQLite's extended result code.
    let code: Int32
    /// SQLite's message.
    let message: String

    /// Whether a PRIMARY KEY or UNIQUE constraint failed (`SQLITE_CONSTRAINT_PRIMARYKEY`, `SQLITE_CONSTRAINT_UNIQUE`:
    /// macros that Swift does not import).
    var isUniqueViolation: Bool {
        code == SQLITE_CONSTRAINT | (6 << 8) || code == SQLITE_CONSTRAINT | (8 << 8)
    }

    var description: String { message }
}
