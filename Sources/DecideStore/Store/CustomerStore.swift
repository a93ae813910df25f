/// The customer and segment store. Each backend (SQLite now, PostgreSQL later) implements it; nothing outside the
/// backend writes queries, and nothing backend-specific appears here.
///
/// Methods throw `StoreError`, `FilterError` (an invalid filter) or `ImportError` (an invalid import file).
public protocol CustomerStore: Sendable {
    /// The customer attributes, `id` first.
    func schema() async throws -> AttributeSchema

    /// Imports customers in one transaction: all of them, or (unless `options.skipInvalid`) none.
    func importCustomers(from source: ImportSource, options: ImportOptions) async throws -> ImportSummary

    /// The customer with `id`, as a batch of one.
    ///
    /// - Throws: `StoreError` with code `customerNotFound` when there is none.
    func customer(id: String) async throws -> CustomerBatch

    /// How many customers `selection` selects.
    func count(_ selection: SegmentSelection) async throws -> Int

    /// The first `limit` customers of `selection` in id order.
    func sample(_ selection: SegmentSelection, limit: Int) async throws -> CustomerBatch

    /// Streams `selection`'s customers in id order, `batchSize` at a time, as of one snapshot of the store.
    func customerBatches(_ selection: SegmentSelection, batchSize: Int) async throws -> any CustomerBatchCursor

    /// Every saved segment with its current count, by name, `all` included.
    func segments() async throws -> [CountedSegment]

    /// The saved segment `name` with its current count.
    func segment(named name: String) async throws -> CountedSegment

    /// Saves a segment after checking its filter against the customer attributes.
    ///
    /// - Parameter replace: Whether an existing segment of that name is replaced rather than refused.
    func saveSegment(name: String, filter: String, description: String, replace: Bool) async throws -> Segment

    /// Deletes the saved segment `name`.
    func deleteSegment(named name: String) async throws
}
