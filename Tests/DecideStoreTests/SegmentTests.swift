import DecideStore
import Testing
import TestSupport

/// Saved segments and the segment `all`.
@Suite("Segments")
struct SegmentTests {
    @Test("a segment is saved, listed with its live count, replaced and deleted", arguments: StoreKind.available)
    func lifecycle(kind: StoreKind) async throws {
        let people = try await TemporaryStore.withPeople(kind)
        let saved = try await people.store.saveSegment(name: "north", filter: #"region = "north""#, description: "North", replace: false)
        #expect(saved.filter == #"region = "north""#)
        #expect(try await people.store.segments().map { "\($0.segment.name)=\($0.count)" } == ["all=6", "north=2"])
        await #expect(throws: StoreError.self) {
            try await people.store.saveSegment(name: "north", filter: "age > 1", description: "", replace: false)
        }
        _ = try await people.store.saveSegment(name: "north", filter: "age > 40", description: "Older", replace: true)
        #expect(try await people.store.segment(named: "north").count == 2)
        try await people.store.deleteSegment(named: "north")
        await #expect(throws: StoreError.self) { try await people.store.segment(named: "north") }
        await #expect(throws: StoreError.self) { try await people.store.deleteSegment(named: "north") }
    }

    @Test("the segment all cannot be replaced or deleted, and bad names are refused", arguments: StoreKind.available)
    func reserved(kind: StoreKind) async throws {
        let people = try await TemporaryStore.withPeople(kind)
        await #expect(throws: StoreError.self) { try await people.store.deleteSegment(named: "all") }
        await #expect(throws: StoreError.self) { try await people.store.saveSegment(name: "all", filter: "age > 3", description: "", replace: true) }
        await #expect(throws: StoreError.self) { try await people.store.saveSegment(name: "a b", filter: "age > 3", description: "", replace: false) }
        #expect(try await people.store.count(.named("all")) == 6)
    }
}
