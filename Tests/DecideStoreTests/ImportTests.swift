import DecideStore
import Foundation
import Testing
import TestSupport

/// CSV and JSON Lines imports: parsing edge cases, inference, atomicity, upsert and replace.
@Suite("Imports")
struct ImportTests {
    @Test("quoted fields, embedded commas, quotes and newlines, UTF-8 and empty values are read as written", arguments: StoreKind.available)
    func csvEdgeCases(kind: StoreKind) async throws {
        let people = try await TemporaryStore.withPeople(kind)
        let c3 = try await people.store.customer(id: "c3")
        #expect(c3.value("name", of: c3.customers[0]) == .text("Ágnes"))
        #expect(c3.value("notes", of: c3.customers[0]) == .text(#"likes 100% cotton, "organic""#))
        #expect(c3.value("app_user", of: c3.customers[0]) == .null)
        let c5 = try await people.store.customer(id: "c5")
        #expect(c5.value("notes", of: c5.customers[0]) == .text("multi\nline"))
        #expect(c5.value("email", of: c5.customers[0]) == .null)
        #expect(try await people.store.schema().attributes.map(\.type) == [.text, .text, .integer, .real, .text, .boolean, .boolean, .text, .text])
    }

    @Test("a byte order mark and CRLF line ends are handled", arguments: StoreKind.available)
    func bomAndCRLF(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        let file = try temporary.write("crlf.csv", "\u{FEFF}id,score\r\na,1\r\nb,\"2\"\r\n\r\nc,3")
        #expect(try await temporary.store.importCustomers(from: .file(file), options: ImportOptions()).imported == 3)
        #expect(try await temporary.store.schema().names == ["id", "score"])
        #expect(try await temporary.ids("score >= 2") == ["b", "c"])
    }

    @Test("huge numbers: beyond 64 bits an integer column is refused, a real column keeps them", arguments: StoreKind.available)
    func hugeNumbers(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        let file = try temporary.write("huge.csv", "id,big,max\na,123456789012345678901234567890,9223372036854775807\n")
        _ = try await temporary.store.importCustomers(from: .file(file), options: ImportOptions())
        let batch = try await temporary.store.customer(id: "a")
        #expect(batch.value("big", of: batch.customers[0]) == .real(Double("123456789012345678901234567890")!))
        #expect(batch.value("max", of: batch.customers[0]) == .integer(.max))
        let overflow = try temporary.write("overflow.csv", "id,max\nb,9223372036854775808\n")
        await #expect(throws: ImportError.self) { try await temporary.store.importCustomers(from: .file(overflow), options: ImportOptions()) }
    }

    @Test("a duplicate id in the file stops the import, naming the line", arguments: StoreKind.available)
    func duplicateID(kind: StoreKind) async throws {
        let people = try await TemporaryStore.withPeople(kind)
        for replace in [false, true] {
            let file = try people.write("dup.csv", "id,age\nx1,3\nx2,4\nx1,5\n")
            let error = try await #require(throws: ImportError.self) {
                try await people.store.importCustomers(from: .file(file), options: ImportOptions(replace: replace))
            }
            #expect(error.code == .duplicateID)
            #expect(error.description == #"dup.csv:4: column 1 "id": duplicate id "x1": it appears earlier in the file"#)
            #expect(try await people.store.count(.named("all")) == 6)
        }
    }

    @Test("a bad row at line 70,001 of 100,000 leaves the table exactly as it was", arguments: StoreKind.available)
    func atomicity(kind: StoreKind) async throws {
        let people = try await TemporaryStore.withPeople(kind)
        var text = "id,age,region\n"
        for row in 1..<100_000 {
            text += row == 70_000 ? "n\(row),old,north\n" : "n\(row),\(row % 90),north\n"
        }
        let file = try people.write("big.csv", text)
        let error = try await #require(throws: ImportError.self) {
            try await people.store.importCustomers(from: .file(file), options: ImportOptions())
        }
        #expect(error.description == #"big.csv:70001: column 2 "age": "old" does not fit the integer column"#)
        #expect(error.line == 70_001 && error.field == "age" && error.value == "old")
        #expect(try await people.store.count(.named("all")) == 6)
        #expect(try await people.ids("region = \"north\"") == ["c1", "c5"])
    }

    @Test("a row with the wrong number of fields names its line, even after a multi-line field", arguments: StoreKind.available)
    func wrongFieldCount(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        let file = try temporary.write("short.csv", "id,notes,age\na,\"two\nlines\",3\nb,x\n")
        let error = try await #require(throws: ImportError.self) {
            try await temporary.store.importCustomers(from: .file(file), options: ImportOptions())
        }
        #expect(error.code == .wrongFieldCount)
        #expect(error.description == "short.csv:4: expected 3 fields as in the header, found 2")
        #expect(try await temporary.store.schema().names == ["id"])
    }

    @Test("--skip-invalid reports each bad row and imports the rest", arguments: StoreKind.available)
    func skipInvalid(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        let file = try temporary.write("mixed.csv", "id,age\na,1\nb,x\nc\nd,4\nd,5\n,6\n")
        let rejected = RejectedRows()
        let options = ImportOptions(schema: ["age": .integer], skipInvalid: true) { rejected.append($0) }
        let summary = try await temporary.store.importCustomers(from: .file(file), options: options)
        #expect(summary.imported == 2)
        #expect(summary.rejected == 4)
        #expect(rejected.lines == [3, 4, 6, 7])
        #expect(rejected.codes == [.valueDoesNotFit, .wrongFieldCount, .duplicateID, .missingID])
        #expect(try await temporary.ids("age is not null") == ["a", "d"])
        #expect(try await temporary.store.count(.named("all")) == 2)
    }

    @Test("existing ids are updated by default and the audience is replaced with --replace", arguments: StoreKind.available)
    func upsertAndReplace(kind: StoreKind) async throws {
        let people = try await TemporaryStore.withPeople(kind)
        let update = try people.write("update.csv", "id,age,score\nc1,99,7\nnew,1,2\n")
        _ = try await people.store.importCustomers(from: .file(update), options: ImportOptions())
        #expect(try await people.store.count(.named("all")) == 7)
        #expect(try await people.ids("age = 99") == ["c1"])
        #expect(try await people.ids("name = \"Alice\"") == ["c1"])
        _ = try await people.store.importCustomers(from: .file(update), options: ImportOptions(replace: true))
        #expect(try await people.ids("") == ["c1", "new"])
    }

    @Test("--schema overrides inference and cannot contradict an existing attribute", arguments: StoreKind.available)
    func schemaOverride(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        let file = try temporary.write("zip.csv", "id,zip\na,01234\n")
        _ = try await temporary.store.importCustomers(from: .file(file), options: ImportOptions(schema: try ImportOptions.parseSchema("zip:text")))
        #expect(try await temporary.ids(#"zip = "01234""#) == ["a"])
        await #expect(throws: ImportError.self) {
            try await temporary.store.importCustomers(from: .file(file), options: ImportOptions(schema: ["zip": .integer]))
        }
        #expect(throws: ImportError.self) { try ImportOptions.parseSchema("zip:date") }
    }

    @Test("a header without id or with an invalid name is refused", arguments: StoreKind.available)
    func invalidHeader(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        for header in ["name,age", "id,\"bad name\"", "id,age,AGE"] {
            let file = try temporary.write("header.csv", header + "\n")
            let error = try await #require(throws: ImportError.self) {
                try await temporary.store.importCustomers(from: .file(file), options: ImportOptions())
            }
            #expect(error.code == .invalidHeader)
        }
    }

    @Test("JSON Lines: typed values, missing keys as null, a bad line named", arguments: StoreKind.available)
    func jsonLines(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        let file = try temporary.write("people.jsonl", """
            {"id": "a", "age": 30, "vip": true, "score": 1}
            {"id": "b", "name": "Bé", "score": 2.5}

            {"id": "c", "age": null}
            """)
        #expect(try await temporary.store.importCustomers(from: .file(file), options: ImportOptions()).imported == 3)
        #expect(try await temporary.store.schema().attributes.map { "\($0.name):\($0.type.rawValue)" } == ["id:text", "age:integer", "name:text", "score:real", "vip:boolean"])
        #expect(try await temporary.ids("vip") == ["a"])
        #expect(try await temporary.ids("score > 2") == ["b"])
        let bad = try temporary.write("bad.jsonl", "{\"id\": \"d\"}\n[1, 2]\n")
        let error = try await #require(throws: ImportError.self) {
            try await temporary.store.importCustomers(from: .file(bad), options: ImportOptions())
        }
        #expect(error.description == "bad.jsonl:2: not a JSON object of scalar values")
    }

    @Test("a generated audience is the same for the same seed and has missing values", arguments: StoreKind.available)
    func generated(kind: StoreKind) async throws {
        let first = try await TemporaryStore.make(kind), second = try await TemporaryStore.make(kind)
        _ = try await first.store.importCustomers(from: .generated(count: 2000, seed: 42), options: ImportOptions())
        _ = try await second.store.importCustomers(from: .generated(count: 2000, seed: 42), options: ImportOptions())
        #expect(try await first.store.sample(.named("all"), limit: 2000) == second.store.sample(.named("all"), limit: 2000))
        #expect(try await first.store.count(.expression("income is null")) > 0)
        #expect(try await first.store.schema().names.count == 15)
    }
}
