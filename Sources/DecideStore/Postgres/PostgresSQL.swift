import PostgresNIO

/// A statement being written with its bound parameters: every value goes in as `$n`, never into the text.
struct PostgresSQL {
    private(set) var text: String
    private(set) var binds = PostgresBindings()

    init(_ text: String = "") {
        self.text = text
    }

    /// Appends SQL text.
    mutating func append(_ sql: String) {
        text += sql
    }

    /// Binds `value` and returns its placeholder.
    mutating func bind(_ value: AttributeValue) -> String {
        switch value {
        case .null: binds.appendNull()
        case .integer(let integer): binds.append(integer)
        case .real(let real): binds.append(real)
        case .text(let text): binds.append(text)
        case .boolean(let boolean): binds.append(boolean)
        }
        return "$\(binds.count)"
    }

    /// Binds a value of any encodable type and returns its placeholder.
    mutating func bind<Value: PostgresNonThrowingEncodable & Sendable>(_ value: Value) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    /// The statement to send.
    var query: PostgresQuery { PostgresQuery(unsafeSQL: text, binds: binds) }
}

/// Compiles a validated filter to a PostgreSQL condition: field names come from the attribute schema and are
/// quoted; every literal is a bound parameter. Text compares in byte order (the columns are `COLLATE "C"`), as in
/// SQLite; `matches` uses PostgreSQL's regular expressions (`~`), which agree with the SQLite store's on the usual
/// syntax (classes, anchors, alternation, repetition) and differ in rare extensions.
enum PostgresFilterCompiler {
    /// Appends the condition for `filter` to `sql`.
    static func compile(_ filter: Filter, into sql: inout PostgresSQL) {
        switch filter {
        case .all(let filters):
            group(filters, joinedBy: " AND ", empty: "true", into: &sql)
        case .any(let filters):
            group(filters, joinedBy: " OR ", empty: "false", into: &sql)
        case .not(let filter):
            sql.append("(NOT ")
            compile(filter, into: &sql)
            sql.append(")")
        case .condition(let condition):
            compile(condition, into: &sql)
        }
    }

    /// `(a AND b ...)`, or the constant a group of nothing means (`all` of nothing is true, `any` of nothing false).
    private static func group(_ filters: [Filter], joinedBy separator: String, empty: String, into sql: inout PostgresSQL) {
        guard !filters.isEmpty else { return sql.append(empty) }
        sql.append("(")
        for (index, filter) in filters.enumerated() {
            if index > 0 { sql.append(separator) }
            compile(filter, into: &sql)
        }
        sql.append(")")
    }

    private static func compile(_ condition: FilterCondition, into sql: inout PostgresSQL) {
        let column = condition.field.quotedIdentifier
        var placeholders: [String] = []
        if condition.op == .in || condition.op == .notIn {
            for value in condition.values { placeholders.append(sql.bind(value)) }
        }
        let list = "(" + placeholders.joined(separator: ", ") + ")"
        let first = condition.values.first ?? .null
        switch condition.op {
        case .eq: sql.append("\(column) = \(sql.bind(first))")
        case .ne: sql.append("\(column) <> \(sql.bind(first))")
        case .lt: sql.append("\(column) < \(sql.bind(first))")
        case .lte: sql.append("\(column) <= \(sql.bind(first))")
        case .gt: sql.append("\(column) > \(sql.bind(first))")
        case .gte: sql.append("\(column) >= \(sql.bind(first))")
        case .in: sql.append("\(column) IN \(list)")
        case .notIn: sql.append("\(column) NOT IN \(list)")
        case .contains: sql.append("strpos(\(column), \(sql.bind(first))) > 0")
        case .startsWith: sql.append("starts_with(\(column), \(sql.bind(first)))")
        case .matches: sql.append("\(column) ~ \(sql.bind(first))")
        case .isNull: sql.append("\(column) IS NULL")
        case .isNotNull: sql.append("\(column) IS NOT NULL")
        }
    }
}
