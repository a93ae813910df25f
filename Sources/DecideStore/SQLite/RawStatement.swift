import GRDB
import GRDBSQLite

/// Direct access to a prepared GRDB statement for the hot loops (import, batch reading, allocation): binding and reading
/// typed values without building GRDB rows or argument arrays.
struct RawStatement {
    private let statement: Statement
    private let handle: SQLiteStatement
    private let connection: SQLiteConnection

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Wraps `statement`, which belongs to `db`, keeping it alive, and resets it.
    init(_ statement: Statement, in db: Database) {
        self.statement = statement
        handle = statement.sqliteStatement
        connection = db.sqliteConnection!
        reset()
    }

    /// Binds `value` to the 1-based parameter `index`; booleans bind as 0 and 1.
    func bind(_ value: AttributeValue, at index: Int32) {
        switch value {
        case .null: sqlite3_bind_null(handle, index)
        case .integer(let value): sqlite3_bind_int64(handle, index, value)
        case .real(let value): sqlite3_bind_double(handle, index, value)
        case .boolean(let value): sqlite3_bind_int64(handle, index, value ? 1 : 0)
        case .text(var value):
            value.withUTF8 { bytes in
                _ = sqlite3_bind_text(handle, index, bytes.baseAddress, Int32(bytes.count), Self.transient)
            }
        }
    }

    /// Binds `values` to the parameters from 1 on.
    func bind(_ values: [AttributeValue]) {
        for (offset, value) in values.enumerated() { bind(value, at: Int32(offset + 1)) }
    }

    /// Runs the statement one step.
    ///
    /// - Returns: `true` when a row is available, `false` when the statement is done.
    /// - Throws: `SQLiteStepFailure` with SQLite's code and message; the statement is reset.
    func step() throws(SQLiteStepFailure) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let failure = SQLiteStepFailure(
                code: sqlite3_extended_errcode(connection), message: String(cString: sqlite3_errmsg(connection)))
            reset()
            throw failure
        }
    }

    /// Resets the statement so that it can run again.
    func reset() {
        sqlite3_reset(handle)
    }

    /// The current row's column `index` (0-based) as a value of `type`.
    func column(_ index: Int32, as type: AttributeType) -> AttributeValue {
        if sqlite3_column_type(handle, index) == SQLITE_NULL { return .null }
        switch type {
        case .integer: return .integer(sqlite3_column_int64(handle, index))
        case .real: return .real(sqlite3_column_double(handle, index))
        case .boolean: return .boolean(sqlite3_column_int64(handle, index) != 0)
        case .text: return .text(text(index))
        }
    }

    /// The current row's column `index` (0-based) as an integer.
    func integer(_ index: Int32) -> Int64 {
        sqlite3_column_int64(handle, index)
    }

    /// The current row's column `index` (0-based) as a number (0 for NULL).
    func real(_ index: Int32) -> Double {
        sqlite3_column_double(handle, index)
    }

    /// The current row's column `index` (0-based) as text.
    func text(_ index: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, index) else { return "" }
        return String(decoding: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(handle, index))), as: UTF8.self)
    }

    /// The current row's column `index` (0-based) as the bytes of its text, valid until the next step; `nil` for
    /// NULL.
    func bytes(_ index: Int32) -> UnsafeBufferPointer<UInt8>? {
        guard let bytes = sqlite3_column_text(handle, index) else { return nil }
        return UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(handle, index)))
    }
}
