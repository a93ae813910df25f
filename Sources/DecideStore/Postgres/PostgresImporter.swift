import Logging
import NIOCore
import PostgresNIO

/// Writes an import into the customer table inside the caller's transaction: adds the new attribute columns, checks
/// and converts every row as the SQLite importer does (same errors, same lines and columns), streams the rows with
/// `COPY ... FROM STDIN` into a temporary table, then inserts them (upserts into a populated table) in one statement.
struct PostgresImporter {
    let connection: PostgresConnection
    let options: ImportOptions
    let logger: Logger

    /// Imports `source`.
    func run(_ source: ImportSource) async throws -> ImportSummary {
        var reader = try source.makeReader()
        try await connection.send("LOCK TABLE attribute IN EXCLUSIVE MODE", logger: logger)
        let plan = try ImportPlan(
            source: source, reader: reader, options: options,
            existing: try await PostgresCustomerStore.schema(connection, logger: logger))
        try await addColumns(plan.newAttributes)
        if options.replace { try await connection.send("DELETE FROM customer", logger: logger) }
        let columns = plan.fieldNames.map(\.quotedIdentifier)
        // Into an empty table the rows are copied straight in: no id can clash (a file repeating one is refused
        // below), so the staging table and its upsert would only double the writing.
        var empty = options.replace
        if !empty {
            for try await none in try await connection.send("SELECT NOT EXISTS (SELECT 1 FROM customer)", logger: logger).decode(Bool.self) {
                empty = none
            }
        }
        let target = empty ? "customer" : "import_stage"
        if !empty {
            try await connection.execute(
                unsafeSQL: """
                    CREATE TEMPORARY TABLE import_stage ON COMMIT DROP AS SELECT \(columns.joined(separator: ", ")) FROM customer WITH NO DATA
                    """,
                logger: logger)
        }
        var summary = ImportSummary(imported: 0, rejected: 0, addedAttributes: plan.newAttributes)
        var seen: Set<String> = []
        var failure: (any Error)?
        try await connection.copyFrom(table: target, columns: plan.fieldNames, logger: logger) { writer in
            var buffer = ByteBuffer()
            while true {
                do {
                    guard try reader.next() else { break }
                    try Self.encode(reader, plan: plan, seen: &seen, into: &buffer)
                    summary.imported += 1
                } catch let error as ImportError where options.skipInvalid && error.code != .unterminatedQuote {
                    options.onRejected(error)
                    summary.rejected += 1
                } catch {
                    failure = error
                    break
                }
                if buffer.readableBytes >= 1 << 16 {
                    try await writer.write(buffer)
                    buffer.clear()
                }
            }
            if buffer.readableBytes > 0 { try await writer.write(buffer) }
        }
        if let failure { throw failure }
        if empty { return summary }
        let updates = columns.enumerated().filter { $0.offset != plan.idIndex }.map { "\($0.element) = excluded.\($0.element)" }
        try await connection.execute(
            unsafeSQL: """
                INSERT INTO customer (\(columns.joined(separator: ", "))) SELECT \(columns.joined(separator: ", ")) FROM import_stage
                ON CONFLICT (id) DO \(updates.isEmpty ? "NOTHING" : "UPDATE SET " + updates.joined(separator: ", "))
                """,
            logger: logger)
        return summary
    }

    private func addColumns(_ attributes: [Attribute]) async throws {
        var position = 0
        for try await current in try await connection.send("SELECT coalesce(max(position), 0) FROM attribute", logger: logger).decode(Int.self) {
            position = current
        }
        for attribute in attributes {
            position += 1
            try await connection.send(
                "INSERT INTO attribute (name, type, position) VALUES (\(attribute.name), \(attribute.type.rawValue), \(position))",
                logger: logger)
            try await connection.execute(
                unsafeSQL: "ALTER TABLE customer ADD COLUMN \(attribute.name.quotedIdentifier) \(attribute.type.postgresColumnType)",
                logger: logger)
        }
    }

    /// Checks one record and appends it to `buffer` in COPY's text format.
    private static func encode(
        _ reader: some ImportRecordReader, plan: ImportPlan, seen: inout Set<String>, into buffer: inout ByteBuffer
    ) throws {
        func recordError(_ code: ImportError.Code, _ message: String, _ index: Int) -> ImportError {
            ImportError(code, message, file: reader.file, line: reader.line, column: index + 1, field: plan.fieldNames[index], value: reader.text(at: index))
        }
        var fields: [String] = []
        fields.reserveCapacity(plan.types.count)
        for (index, type) in plan.types.enumerated() {
            guard let value = reader.value(at: index, as: type) else {
                throw recordError(.valueDoesNotFit, "\(AttributeValue.text(reader.text(at: index))) does not fit the \(type.rawValue) column", index)
            }
            if index == plan.idIndex, value == .null {
                throw recordError(.missingID, "empty id: every customer needs one", index)
            }
            fields.append(copyText(value))
        }
        guard seen.insert(reader.text(at: plan.idIndex)).inserted else {
            throw recordError(.duplicateID, "duplicate id \"\(reader.text(at: plan.idIndex))\": it appears earlier in the file", plan.idIndex)
        }
        buffer.writeString(fields.joined(separator: "\t"))
        buffer.writeString("\n")
    }

    /// A value in COPY's text format: `\N` for null, text with backslash, tab, newline and carriage return escaped.
    private static func copyText(_ value: AttributeValue) -> String {
        switch value {
        case .null: return "\\N"
        case .integer(let integer): return String(integer)
        case .real(let real): return real.isNaN ? "NaN" : real.isInfinite ? (real > 0 ? "Infinity" : "-Infinity") : "\(real)"
        case .boolean(let boolean): return boolean ? "t" : "f"
        case .text(let text):
            var escaped = ""
            escaped.reserveCapacity(text.utf8.count)
            for character in text.unicodeScalars {
                switch character {
                case "\\": escaped += "\\\\"
                case "\t": escaped += "\\t"
                case "\n": escaped += "\\n"
                case "\r": escaped += "\\r"
                default: escaped.unicodeScalars.append(character)
                }
            }
            return escaped
        }
    }
}

extension AttributeType {
    /// The PostgreSQL column type an attribute of this type is stored in (text in byte order, as in SQLite).
    var postgresColumnType: String {
        switch self {
        case .integer: "BIGINT"
        case .real: "DOUBLE PRECISION"
        case .text: "TEXT COLLATE \"C\""
        case .boolean: "BOOLEAN"
        }
    }
}
