import DecideStore
import Foundation
import Testing
import TestSupport

/// Streaming a segment in batches, from one snapshot.
@Suite("Segment iteration")
struct IterationTests {
    private func readAll(_ cursor: inout any CustomerBatchCursor) async throws -> [String] {
        var ids: [String] = []
        while let batch = try await cursor.next() { ids += batch.customers.map(\.id) }
        return ids
    }

    @Test("batches cover every customer once, in id order, across batch boundaries", arguments: [1, 2, 3, 4, 6, 7, 100])
    func batchBoundaries(batchSize: Int) async throws {
        let people = try await TemporaryStore.withPeople()
        var cursor = try await people.store.customerBatches(.expression("age is not null"), batchSize: batchSize)
        #expect(cursor.count == 5)
        #expect(try await readAll(&cursor) == ["c1", "c2", "c3", "c5", "c6"])
        #expect(try await cursor.next() == nil)
    }

    @Test("a batch shares its field names and holds typed values", arguments: StoreKind.available)
    func typedValues(kind: StoreKind) async throws {
        let people = try await TemporaryStore.withPeople(kind)
        var cursor = try await people.store.customerBatches(.named("all"), batchSize: 2)
        let batch = try #require(try await cursor.next())
        #expect(batch.fieldNames == ["id", "name", "age", "income", "region", "has_loan", "app_user", "notes", "email"])
        #expect(batch.customers[0].values == [
            .text("c1"), .text("Alice"), .integer(34), .real(62000.5), .text("north"), .boolean(false), .boolean(true),
            .text("vip customer"), .text("alice@example.com"),
        ])
    }

    @Test("an import during the iteration makes it neither skip nor repeat anyone")
    func snapshotIsolation() async throws {
        let temporary = try TemporaryStore()
        let initial = (0..<1000).map { String(format: "k%05d", $0 * 2) }
        let first = try temporary.write("first.csv", "id,n\n" + initial.map { "\($0),1\n" }.joined())
        _ = try await temporary.store.importCustomers(from: .file(first), options: ImportOptions())
        var cursor = try await temporary.store.customerBatches(.expression("n = 1"), batchSize: 100)
        var ids = try #require(try await cursor.next()).customers.map(\.id)
        let interleaved = (0..<1000).map { String(format: "k%05d", $0 * 2 + 1) }
        let second = try temporary.write("second.csv", "id,n\n" + interleaved.map { "\($0),1\n" }.joined())
        let writer = try SQLiteCustomerStore(path: temporary.path)
        _ = try await writer.importCustomers(from: .file(second), options: ImportOptions())
        ids += try await readAll(&cursor)
        #expect(cursor.count == 1000)
        #expect(ids == initial)
        #expect(try await temporary.store.count(.named("all")) == 2000)
    }

    @Test("a batch size below 1 is refused", arguments: StoreKind.available)
    func invalidBatchSize(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        await #expect(throws: StoreError.self) { try await temporary.store.customerBatches(.named("all"), batchSize: 0) }
    }
}
