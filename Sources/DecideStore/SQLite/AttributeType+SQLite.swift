/// How each attribute type is stored in a STRICT SQLite table.
extension AttributeType {
    /// The column definition after the name: booleans are integers constrained to 0 and 1.
    func sqliteColumnDefinition(name: String) -> String {
        switch self {
        case .integer: "INTEGER"
        case .real: "REAL"
        case .text: "TEXT"
        case .boolean: "INTEGER CHECK (\(name.quotedIdentifier) IN (0, 1))"
        }
    }
}
