import DecideStore
import Testing

/// Nothing a user types reaches SQL text: fields are checked names, values are bound parameters.
@Suite("Injection")
struct InjectionTests {
    @Test("an injection attempt as a string literal is just a value")
    func stringLiteral() throws {
        let people = try TemporaryStore.withPeople()
        #expect(try people.ids(#"name = "x'; DROP TABLE customer; --""#) == [])
        #expect(try people.ids(#"name = 'x" OR 1=1 --'"#) == [])
        #expect(try people.ids(#"notes contains "') OR 1=1 --""#) == [])
        #expect(try people.store.count(.named("all")) == 6)
    }

    @Test("an injection attempt as a field name is an unknown field, in text and in JSON")
    func fieldName() throws {
        let people = try TemporaryStore.withPeople()
        #expect(throws: FilterError.self) { try people.store.count(.expression(#"age; DROP TABLE customer = 1"#)) }
        let filter = Filter.condition(FilterCondition(field: #"age" = 1 OR "1"#, op: .eq, values: [.integer(1)]))
        #expect(throws: FilterError.self) { try people.store.count(.filter(filter)) }
        #expect(try people.store.count(.named("all")) == 6)
    }

    @Test("an injection attempt as an imported column name is refused before any SQL")
    func columnName() throws {
        let people = try TemporaryStore.withPeople()
        let file = try people.write("evil.csv", "id,\"x INTEGER); DROP TABLE customer; --\"\nz,1\n")
        #expect(throws: ImportError.self) { try people.store.importCustomers(from: .file(file), options: ImportOptions()) }
        #expect(try people.store.count(.named("all")) == 6)
        #expect(try people.store.schema().names.count == 9)
    }
}
