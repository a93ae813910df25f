/// Customers of a segment in id order, one batch at a time, all read from one snapshot: customers written while
/// the cursor is read are neither seen nor make it skip or repeat anyone.
///
/// ```swift
/// var cursor = try store.customerBatches(.named("all"), batchSize: 1000)
/// print("\(cursor.count) customers")
/// while let batch = try cursor.next() { ... }
/// ```
public protocol CustomerBatchCursor: Sendable {
    /// How many customers the cursor yields in all.
    var count: Int { get }

    /// The next batch, or `nil` when every customer has been read.
    mutating func next() async throws -> CustomerBatch?
}
