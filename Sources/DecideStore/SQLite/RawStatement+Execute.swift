import GRDB

extension RawStatement {
    /// Runs a statement that returns no rows, then resets it.
    ///
    /// - Throws: `DatabaseError` with SQLite's code and message.
    func execute() throws {
        do {
            while try step() {}
            reset()
        } catch {
            throw DatabaseError(resultCode: ResultCode(rawValue: error.code), message: error.message)
        }
    }
}
