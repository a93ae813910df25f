/// One condition of a filter: a field, an operator and its values (none for the null checks, several for `in`).
///
/// Equality ignores `location`, so a condition parsed from text equals the same condition decoded from JSON.
public struct FilterCondition: Sendable {
    /// The attribute the condition tests.
    public var field: String
    /// The operator.
    public var op: FilterOperator
    /// The literal values: empty for `is null`/`is not null`, one for comparisons, one or more for `in`/`not in`.
    public var values: [AttributeValue]
    /// Where the field and each value were written, when the condition was parsed from text.
    public var location: FilterLocation?

    /// Creates a condition.
    public init(field: String, op: FilterOperator, values: [AttributeValue], location: FilterLocation? = nil) {
        self.field = field
        self.op = op
        self.values = values
        self.location = location
    }
}

extension FilterCondition: Hashable {
    /// Conditions are equal when field, operator and values are, wherever they were written.
    public static func == (lhs: FilterCondition, rhs: FilterCondition) -> Bool {
        lhs.field == rhs.field && lhs.op == rhs.op && lhs.values == rhs.values
    }

    /// Hashes field, operator and values.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(field)
        hasher.combine(op)
        hasher.combine(values)
    }
}
