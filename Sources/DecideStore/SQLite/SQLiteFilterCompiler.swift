/// Compiles a validated filter to an SQLite condition with bound parameters: field names come from the attribute
/// schema and are quoted; every literal is a parameter.
enum SQLiteFilterCompiler {
    /// The condition's SQL and its arguments, in parameter order.
    static func compile(_ filter: Filter) -> (sql: String, arguments: [AttributeValue]) {
        var arguments: [AttributeValue] = []
        let sql = compile(filter, into: &arguments)
        return (sql, arguments)
    }

    private static func compile(_ filter: Filter, into arguments: inout [AttributeValue]) -> String {
        switch filter {
        case .all(let filters):
            filters.isEmpty ? "1" : "(" + filters.map { compile($0, into: &arguments) }.joined(separator: " AND ") + ")"
        case .any(let filters):
            filters.isEmpty ? "0" : "(" + filters.map { compile($0, into: &arguments) }.joined(separator: " OR ") + ")"
        case .not(let filter):
            "(NOT " + compile(filter, into: &arguments) + ")"
        case .condition(let condition):
            compile(condition, into: &arguments)
        }
    }

    private static func compile(_ condition: FilterCondition, into arguments: inout [AttributeValue]) -> String {
        let column = condition.field.quotedIdentifier
        arguments += condition.values
        let list = "(" + Array(repeating: "?", count: condition.values.count).joined(separator: ", ") + ")"
        switch condition.op {
        case .eq: return "\(column) = ?"
        case .ne: return "\(column) <> ?"
        case .lt: return "\(column) < ?"
        case .lte: return "\(column) <= ?"
        case .gt: return "\(column) > ?"
        case .gte: return "\(column) >= ?"
        case .in: return "\(column) IN \(list)"
        case .notIn: return "\(column) NOT IN \(list)"
        case .contains: return "instr(\(column), ?) > 0"
        case .startsWith:
            arguments += condition.values
            return "substr(\(column), 1, length(?)) = ?"
        case .matches: return "\(column) REGEXP ?"
        case .isNull: return "\(column) IS NULL"
        case .isNotNull: return "\(column) IS NOT NULL"
        }
    }
}
