import GRDB

/// Committing a run's results, batch by batch.
extension SQLiteCustomerStore {
    @discardableResult
    public func commitBatch(_ batch: RunBatchCommit) throws -> RunBatchOutcome {
        try Self.translatingErrors {
            try pool.write { db in try SQLiteRunBatchWriter(db: db).commit(batch) }
        }
    }
}
