import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Customers and saved segments.
extension PostgresCustomerStore: CustomerStore {
    public func schema() async throws -> AttributeSchema {
        try await translatingErrors { try await client.withConnection { try await Self.schema($0, logger: logger) } }
    }

    public func importCustomers(from source: ImportSource, options: ImportOptions) async throws -> ImportSummary {
        try await translatingErrors {
            try await transaction { connection in
                try await PostgresImporter(connection: connection, options: options, logger: logger).run(source)
            }
        }
    }

    public func customer(id: String) async throws -> CustomerBatch {
        guard id.count <= InputLimits.textValueCharacters else {
            throw StoreError(.customerNotFound, "no customer has an id of \(id.count) characters", value: String(id.prefix(60)))
        }
        let filter = Filter.condition(FilterCondition(field: Attribute.idName, op: .eq, values: [.text(id)]))
        let batch = try await sample(.filter(filter), limit: 1)
        guard !batch.customers.isEmpty else {
            throw StoreError(.customerNotFound, "no customer has the id \"\(id)\"", value: id)
        }
        return batch
    }

    public func count(_ selection: SegmentSelection) async throws -> Int {
        try await translatingErrors {
            try await client.withConnection { connection in
                let query = try await Self.query(selection, connection, logger: logger)
                return try await query.count(connection, logger: logger)
            }
        }
    }

    public func sample(_ selection: SegmentSelection, limit: Int) async throws -> CustomerBatch {
        try await translatingErrors {
            try await client.withConnection { connection in
                let query = try await Self.query(selection, connection, logger: logger)
                return try await query.batch(connection, after: "", limit: max(0, limit), logger: logger)
            }
        }
    }

    public func customerBatches(_ selection: SegmentSelection, batchSize: Int) async throws -> any CustomerBatchCursor {
        guard batchSize > 0 else {
            throw StoreError(.invalidArgument, "the batch size must be at least 1, not \(batchSize)", value: String(batchSize))
        }
        return try await translatingErrors {
            let snapshot = try await PostgresSnapshot.open(location, logger: logger)
            let query = try await Self.query(selection, snapshot.connection, logger: logger)
            let count = try await query.count(snapshot.connection, logger: logger)
            return PostgresCustomerCursor(snapshot: snapshot, query: query, count: count, batchSize: batchSize)
        }
    }

    public func segments() async throws -> [CountedSegment] {
        try await translatingErrors {
            try await client.withConnection { connection in
                var names: [String] = []
                for try await name in try await connection.send("SELECT name FROM segment ORDER BY name", logger: logger).decode(String.self) {
                    names.append(name)
                }
                var counted: [CountedSegment] = []
                for name in names { counted.append(try await Self.countedSegment(named: name, connection, logger: logger)) }
                return counted
            }
        }
    }

    public func segment(named name: String) async throws -> CountedSegment {
        try await translatingErrors {
            try await client.withConnection { try await Self.countedSegment(named: name, $0, logger: logger) }
        }
    }

    public func saveSegment(name: String, filter: String, description: String, replace: Bool) async throws -> Segment {
        try Segment.checkSaving(name: name, description: description)
        return try await translatingErrors {
            try await transaction { connection in
                _ = try SegmentSelection.expression(filter).validatedFilter(
                    schema: try await Self.schema(connection, logger: logger), savedFilter: nil)
                try await connection.send("LOCK TABLE segment IN SHARE ROW EXCLUSIVE MODE", logger: logger)
                let exists = try await connection.send("SELECT 1 FROM segment WHERE name = \(name)", logger: logger).collect()
                if !exists.isEmpty && !replace { throw Segment.exists(name) }
                try await connection.send(
                    """
                    INSERT INTO segment (name, description, filter, created_at) VALUES (\(name), \(description), \(filter), \(Date()))
                    ON CONFLICT (name) DO UPDATE SET description = excluded.description, filter = excluded.filter,
                        created_at = excluded.created_at
                    """,
                    logger: logger)
                return try await Self.segment(named: name, connection, logger: logger)
            }
        }
    }

    public func deleteSegment(named name: String) async throws {
        try Segment.checkDeleting(name: name)
        try await translatingErrors {
            let deleted = try await client.rows("DELETE FROM segment WHERE name = \(name) RETURNING name", logger: logger)
            if deleted.isEmpty { throw Segment.notFound(name) }
        }
    }

    // MARK: - On a connection

    /// The customer attributes, `id` first.
    static func schema(_ connection: PostgresConnection, logger: Logger) async throws -> AttributeSchema {
        var attributes: [Attribute] = []
        let rows = try await connection.send("SELECT name, type FROM attribute ORDER BY position", logger: logger)
        for try await (name, type) in rows.decode((String, String).self) {
            if let type = AttributeType(rawValue: type) { attributes.append(Attribute(name: name, type: type)) }
        }
        return AttributeSchema(attributesAfterID: attributes)
    }

    /// The saved segment `name`.
    static func segment(named name: String, _ connection: PostgresConnection, logger: Logger) async throws -> Segment {
        let rows = try await connection.send(
            "SELECT name, description, filter, created_at FROM segment WHERE name = \(name)", logger: logger)
        for try await (name, description, filter, created) in rows.decode((String, String, String, Date).self) {
            return Segment(name: name, description: description, filter: filter, createdAt: created)
        }
        throw Segment.notFound(name)
    }

    private static func countedSegment(named name: String, _ connection: PostgresConnection, logger: Logger) async throws -> CountedSegment {
        let segment = try await segment(named: name, connection, logger: logger)
        let query = try await query(.named(name), connection, logger: logger)
        return CountedSegment(segment: segment, count: try await query.count(connection, logger: logger))
    }

    /// The query for `selection`, its filter parsed and validated against the current schema.
    static func query(_ selection: SegmentSelection, _ connection: PostgresConnection, logger: Logger) async throws -> PostgresCustomerQuery {
        let schema = try await schema(connection, logger: logger)
        var saved: String?
        if case .named(let name) = selection { saved = try await segment(named: name, connection, logger: logger).filter }
        return PostgresCustomerQuery(schema: schema, filter: try selection.validatedFilter(schema: schema, savedFilter: saved))
    }
}

/// The customers a validated filter selects, read as counts or as batches in id order with keyset pagination.
struct PostgresCustomerQuery: Sendable {
    let schema: AttributeSchema
    let filter: Filter

    /// How many customers the filter selects.
    func count(_ connection: PostgresConnection, logger: Logger) async throws -> Int {
        var sql = PostgresSQL("SELECT count(*) FROM customer WHERE ")
        PostgresFilterCompiler.compile(filter, into: &sql)
        for try await count in try await connection.send(sql.query, logger: logger).decode(Int64.self) { return Int(count) }
        return 0
    }

    /// Up to `limit` customers whose id sorts after `lastID`, in id order.
    func batch(_ connection: PostgresConnection, after lastID: String, limit: Int, logger: Logger) async throws -> CustomerBatch {
        var sql = PostgresSQL("SELECT \(schema.names.map(\.quotedIdentifier).joined(separator: ", ")) FROM customer WHERE ")
        PostgresFilterCompiler.compile(filter, into: &sql)
        sql.append(" AND id > \(sql.bind(.text(lastID))) ORDER BY id LIMIT \(sql.bind(.integer(Int64(limit))))")
        return try await read(connection.send(sql.query, logger: logger), skipping: 0)
    }

    /// Reads rows of the schema's columns (after `skipping` leading columns) as customers.
    func read(_ rows: PostgresRowSequence, skipping: Int) async throws -> CustomerBatch {
        let types = schema.attributes.map(\.type)
        var customers: [Customer] = []
        for try await row in rows {
            var values: [AttributeValue] = []
            values.reserveCapacity(types.count)
            for (index, cell) in row.enumerated() where index >= skipping {
                values.append(try Self.value(cell, as: types[index - skipping]))
            }
            guard case .text(let id) = values.first else { continue }
            customers.append(Customer(id: id, values: values))
        }
        return CustomerBatch(fieldNames: schema.names, customers: customers)
    }

    /// A cell as the attribute value of `type`.
    static func value(_ cell: PostgresCell, as type: AttributeType) throws -> AttributeValue {
        switch type {
        case .integer: return try cell.decode(Int64?.self).map(AttributeValue.integer) ?? .null
        case .real: return try cell.decode(Double?.self).map(AttributeValue.real) ?? .null
        case .text: return try cell.decode(String?.self).map(AttributeValue.text) ?? .null
        case .boolean: return try cell.decode(Bool?.self).map(AttributeValue.boolean) ?? .null
        }
    }
}

/// A connection of its own in a read-only repeatable-read transaction: one snapshot of the store for a cursor's
/// whole life. Closed when the cursor is done or dropped.
final class PostgresSnapshot: Sendable {
    let connection: PostgresConnection

    private init(connection: PostgresConnection) {
        self.connection = connection
    }

    static func open(_ location: PostgresLocation, logger: Logger) async throws -> PostgresSnapshot {
        let connection = try await PostgresConnection.connect(
            configuration: try PostgresCustomerStore.connectionConfiguration(location), id: 1, logger: logger)
        try await connection.send("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
        return PostgresSnapshot(connection: connection)
    }

    deinit {
        // The connection must outlive its closing (postgres-nio checks it was closed before it goes).
        let connection = self.connection
        let closing: EventLoopFuture<Void> = connection.close()
        closing.whenComplete { _ in withExtendedLifetime(connection) {} }
    }
}

/// Reads a segment's customers batch by batch from one snapshot, with keyset pagination on `id`.
struct PostgresCustomerCursor: CustomerBatchCursor {
    let snapshot: PostgresSnapshot
    let query: PostgresCustomerQuery
    let count: Int
    let batchSize: Int
    private var lastID = ""
    private var finished = false

    init(snapshot: PostgresSnapshot, query: PostgresCustomerQuery, count: Int, batchSize: Int) {
        self.snapshot = snapshot
        self.query = query
        self.count = count
        self.batchSize = batchSize
    }

    mutating func next() async throws -> CustomerBatch? {
        guard !finished else { return nil }
        let batch = try await PostgresCustomerStore.translatingErrors {
            try await query.batch(snapshot.connection, after: lastID, limit: batchSize, logger: PostgresCustomerStore.quietLogger)
        }
        finished = batch.customers.count < batchSize
        guard let last = batch.customers.last else { return nil }
        lastID = last.id
        return batch
    }
}
