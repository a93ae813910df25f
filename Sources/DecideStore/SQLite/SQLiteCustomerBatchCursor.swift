import GRDB

/// Reads a segment's customers batch by batch from one database snapshot, with keyset pagination on `id`.
struct SQLiteCustomerBatchCursor: CustomerBatchCursor {
    let count: Int
    private let snapshot: DatabaseSnapshot
    private let query: SQLiteCustomerQuery
    private let batchSize: Int
    private var lastID = ""
    private var finished = false

    /// A cursor over `query` in `snapshot`, which must be the snapshot `count` was taken in.
    init(snapshot: DatabaseSnapshot, query: SQLiteCustomerQuery, count: Int, batchSize: Int) {
        self.snapshot = snapshot
        self.query = query
        self.count = count
        self.batchSize = batchSize
    }

    mutating func next() throws -> CustomerBatch? {
        guard !finished else { return nil }
        let batch = try SQLiteCustomerStore.translatingErrors {
            try snapshot.read { [query, lastID, batchSize] db in try query.batch(db, after: lastID, limit: batchSize) }
        }
        finished = batch.customers.count < batchSize
        guard let last = batch.customers.last else { return nil }
        lastID = last.id
        return batch
    }
}
