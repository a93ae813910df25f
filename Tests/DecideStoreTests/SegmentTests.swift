import DecideStore
import Testing

/// Saved segments and the segment `all`.
@Suite("Segments")
struct SegmentTests {
    @Test("a segment is saved, listed with its live count, replaced and deleted")
    func lifecycle() throws {
        let people = try TemporaryStore.withPeople()
        let saved = try people.store.saveSegment(name: "north", filter: #"region = "north""#, description: "North", replace: false)
        #expect(saved.filter == #"region = "north""#)
        #expect(try people.store.segments().map { "\($0.segment.name)=\($0.count)" } == ["all=6", "north=2"])
        #expect(throws: StoreError.self) {
            try people.store.saveSegment(name: "north", filter: "age > 1", description: "", replace: false)
        }
        _ = try people.store.saveSegment(name: "north", filter: "age > 40", description: "Older", replace: true)
        #expect(try people.store.segment(named: "north").count == 2)
        try people.store.deleteSegment(named: "north")
        #expect(throws: StoreError.self) { try people.store.segment(named: "north") }
        #expect(throws: StoreError.self) { try people.store.deleteSegment(named: "north") }
    }

    @Test("the segment all cannot be replaced or deleted, and bad names are refused")
    func reserved() throws {
        let people = try TemporaryStore.withPeople()
        #expect(throws: StoreError.self) { try people.store.deleteSegment(named: "all") }
        #expect(throws: StoreError.self) { try people.store.saveSegment(name: "all", filter: "age > 3", description: "", replace: true) }
        #expect(throws: StoreError.self) { try people.store.saveSegment(name: "a b", filter: "age > 3", description: "", replace: false) }
        #expect(try people.store.count(.named("all")) == 6)
    }
}
