import GRDB

/// Writes an import into the customer table inside the caller's transaction: adds the new attribute columns, then
/// streams the rows through one prepared statement.
///
/// Into an empty table (or with `replace`) rows are plain inserts and the primary key catches an id repeated in the
/// file; into a populated table they are upserts, and a temporary table of the ids seen so far catches repeats.
struct SQLiteImporter {
    let db: Database
    let options: ImportOptions

    /// Imports `source`.
    func run(_ source: ImportSource) throws -> ImportSummary {
        var reader = try source.makeReader()
        let plan = try ImportPlan(source: source, reader: reader, options: options, existing: try SQLiteCustomerStore.schema(db))
        try addColumns(plan.newAttributes)
        if options.replace { try db.execute(sql: "DELETE FROM customer") }
        let upsert = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM customer)") ?? false
        if upsert {
            try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS import_id (id TEXT NOT NULL PRIMARY KEY) WITHOUT ROWID")
        }
        defer { if upsert { try? db.execute(sql: "DROP TABLE IF EXISTS temp.import_id") } }
        var summary = try write(&reader, plan: plan, upsert: upsert)
        summary.addedAttributes = plan.newAttributes
        return summary
    }

    private func addColumns(_ attributes: [Attribute]) throws {
        var position = try Int.fetchOne(db, sql: "SELECT coalesce(max(position), 0) FROM attribute") ?? 0
        for attribute in attributes {
            position += 1
            try db.execute(
                sql: "INSERT INTO attribute (name, type, position) VALUES (?, ?, ?)",
                arguments: [attribute.name, attribute.type.rawValue, position])
            try db.execute(sql: """
                ALTER TABLE customer ADD COLUMN \(attribute.name.quotedIdentifier) \
                \(attribute.type.sqliteColumnDefinition(name: attribute.name))
                """)
        }
    }

    private func write(_ reader: inout some ImportRecordReader, plan: ImportPlan, upsert: Bool) throws -> ImportSummary {
        let columns = plan.fieldNames.map(\.quotedIdentifier)
        var sql = "INSERT INTO customer (\(columns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))"
        if upsert {
            let updates = columns.enumerated().filter { $0.offset != plan.idIndex }.map { "\($0.element) = excluded.\($0.element)" }
            sql += updates.isEmpty ? " ON CONFLICT (id) DO NOTHING" : " ON CONFLICT (id) DO UPDATE SET " + updates.joined(separator: ", ")
        }
        let insert = RawStatement(try db.makeStatement(sql: sql), in: db)
        let seen = upsert ? RawStatement(try db.makeStatement(sql: "INSERT INTO temp.import_id (id) VALUES (?)"), in: db) : nil
        var summary = ImportSummary(imported: 0, rejected: 0, addedAttributes: [])
        while true {
            do {
                guard try reader.next() else { break }
                try writeRecord(reader, plan: plan, insert: insert, seen: seen)
                summary.imported += 1
            } catch let error as ImportError where options.skipInvalid && error.code != .unterminatedQuote {
                options.onRejected(error)
                summary.rejected += 1
            }
        }
        return summary
    }

    private func writeRecord(_ reader: some ImportRecordReader, plan: ImportPlan, insert: RawStatement, seen: RawStatement?) throws {
        func recordError(_ code: ImportError.Code, _ message: String, _ index: Int) -> ImportError {
            ImportError(code, message, file: reader.file, line: reader.line, column: index + 1, field: plan.fieldNames[index], value: reader.text(at: index))
        }
        for (index, type) in plan.types.enumerated() {
            guard let value = reader.value(at: index, as: type) else {
                throw recordError(.valueDoesNotFit, "\(AttributeValue.text(reader.text(at: index))) does not fit the \(type.rawValue) column", index)
            }
            if index == plan.idIndex, value == .null {
                throw recordError(.missingID, "empty id: every customer needs one", index)
            }
            insert.bind(value, at: Int32(index + 1))
        }
        do {
            if let seen {
                seen.bind(.text(reader.text(at: plan.idIndex)), at: 1)
                _ = try seen.step()
                seen.reset()
            }
            _ = try insert.step()
            insert.reset()
        } catch let failure where failure.isUniqueViolation {
            throw recordError(.duplicateID, "duplicate id \"\(reader.text(at: plan.idIndex))\": it appears earlier in the file", plan.idIndex)
        } catch {
            throw DatabaseError(message: error.message)
        }
    }
}
