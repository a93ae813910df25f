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

    /// Freezes the run `run`'s audience: the ids of the customers the filter selects now (after `after`, for a run
    /// resumed from before chunks existed), in `run_member`. Returns how many.
    func freeze(_ db: Database, run: Int64, after: String) throws -> Int {
        let statement = RawStatement(
            try db.cachedStatement(sql: "INSERT INTO run_member (run_seq, customer_id) SELECT ?, id FROM customer WHERE \(condition) AND id > ? ORDER BY id"),
            in: db)
        statement.bind([.integer(run)] + arguments + [.text(after)])
        try statement.execute()
        return db.changesCount
    }

    /// Up to `limit` members of run `run`'s frozen audience whose id is `from` or later, sorts after `lastID` and not
    /// after `through`,
    /// in id order, with their attributes as they are now: the customers, and the last member id read (a member
    /// deleted since the freeze is read but has no customer).
    func memberBatch(
        _ db: Database, run: Int64, from first: String, after lastID: String, through: String, limit: Int
    ) throws -> (batch: CustomerBatch, members: Int, lastMember: String?) {
        let columns = schema.names.map { "c." + $0.quotedIdentifier }.joined(separator: ", ")
        let statement = RawStatement(
            try db.cachedStatement(sql: """
                SELECT m.customer_id, \(columns) FROM run_member m LEFT JOIN customer c ON c.id = m.customer_id
                WHERE m.run_seq = ? AND m.customer_id >= ? AND m.customer_id > ? AND m.customer_id <= ?
                ORDER BY m.customer_id LIMIT ?
                """),
            in: db)
        statement.bind([.integer(run), .text(first), .text(lastID), .text(through), .integer(Int64(limit))])
        let types = schema.attributes.map(\.type)
        var customers: [Customer] = []
        customers.reserveCapacity(limit)
        var members = 0
        var lastMember: String?
        while try statement.step() {
            members += 1
            lastMember = statement.text(0)
            var values: [AttributeValue] = []
            values.reserveCapacity(types.count)
            for (index, type) in types.enumerated() {
                values.append(statement.column(Int32(index + 1), as: type))
            }
            guard case .text(let id) = values[0] else { continue }
            customers.append(Customer(id: id, values: values))
        }
        return (CustomerBatch(fieldNames: schema.names, customers: customers), members, lastMember)
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
