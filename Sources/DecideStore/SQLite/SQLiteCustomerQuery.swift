import GRDB

/// The customers a validated filter selects, read as counts or as batches in id order with keyset pagination.
struct SQLiteCustomerQuery: Sendable {
    /// The attributes read for each customer, `id` first.
    let schema: AttributeSchema
    private let condition: String
    private let arguments: [AttributeValue]

    /// A query for the customers `filter` selects; `filter` must have been validated against `schema`.
    init(schema: AttributeSchema, filter: Filter) {
        self.schema = schema
        (condition, arguments) = SQLiteFilterCompiler.compile(filter)
    }

    /// How many customers the filter selects.
    func count(_ db: Database) throws -> Int {
        let statement = RawStatement(try db.cachedStatement(sql: "SELECT count(*) FROM customer WHERE \(condition)"), in: db)
        statement.bind(arguments)
        guard try statement.step(), case .integer(let count) = statement.column(0, as: .integer) else { return 0 }
        statement.reset()
        return Int(count)
    }

    /// Up to `limit` customers whose id sorts after `lastID`, in id order (`lastID` empty for the first batch:
    /// no id is empty).
    func batch(_ db: Database, after lastID: String, limit: Int) throws -> CustomerBatch {
        let columns = schema.names.map(\.quotedIdentifier).joined(separator: ", ")
        let statement = RawStatement(
            try db.cachedStatement(sql: """
                SELECT \(columns) FROM customer WHERE \(condition) AND id > ? ORDER BY id LIMIT ?
                """),
            in: db)
        statement.bind(arguments + [.text(lastID), .integer(Int64(limit))])
        let types = schema.attributes.map(\.type)
        var customers: [Customer] = []
        customers.reserveCapacity(limit)
        while try statement.step() {
            var values: [AttributeValue] = []
            values.reserveCapacity(types.count)
            for (index, type) in types.enumerated() {
                values.append(statement.column(Int32(index), as: type))
            }
            guard case .text(let id) = values[0] else { continue }
            customers.append(Customer(id: id, values: values))
        }
        return CustomerBatch(fieldNames: schema.names, customers: customers)
    }
}
