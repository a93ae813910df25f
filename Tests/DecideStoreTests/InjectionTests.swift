import DecideStore
import Testing
import TestSupport

/// Nothing a user types reaches SQL text: fields are checked names, values are bound parameters.
@Suite("Injection")
struct InjectionTests {
    @Test("an injection attempt as a string literal is just a value", arguments: StoreKind.available)
    func stringLiteral(kind: StoreKind) async throws {
        let people = try await TemporaryStore.withPeople(kind)
        #expect(try await people.ids(#"name = "x'; DROP TABLE customer; --""#) == [])
        #expect(try await people.ids(#"name = 'x" OR 1=1 --'"#) == [])
        #expect(try await people.ids(#"notes contains "') OR 1=1 --""#) == [])
        #expect(try await people.store.count(.named("all")) == 6)
    }

    @Test("an injection attempt as a field name is an unknown field, in text and in JSON", arguments: StoreKind.available)
    func fieldName(kind: StoreKind) async throws {
        let people = try await TemporaryStore.withPeople(kind)
        await #expect(throws: FilterError.self) { try await people.store.count(.expression(#"age; DROP TABLE customer = 1"#)) }
        let filter = Filter.condition(FilterCondition(field: #"age" = 1 OR "1"#, op: .eq, values: [.integer(1)]))
        await #expect(throws: FilterError.self) { try await people.store.count(.filter(filter)) }
        #expect(try await people.store.count(.named("all")) == 6)
    }

    @Test("an injection attempt as an imported column name is refused before any SQL", arguments: StoreKind.available)
    func columnName(kind: StoreKind) async throws {
        let people = try await TemporaryStore.withPeople(kind)
        let file = try people.write("evil.csv", "id,\"x INTEGER); DROP TABLE customer; --\"\nz,1\n")
        await #expect(throws: ImportError.self) { try await people.store.importCustomers(from: .file(file), options: ImportOptions()) }
        #expect(try await people.store.count(.named("all")) == 6)
        #expect(try await people.store.schema().names.count == 9)
    }
}
