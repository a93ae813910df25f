/// Checking a filter against the customer attributes before any backend compiles it.
extension Filter {
    /// Checks that every field exists, that every value and operator fits its field's type, that every
    /// `matches` pattern is a valid regular expression, and that no group is empty except the top-level "everyone".
    ///
    /// - Parameters:
    ///   - schema: The customer attributes.
    ///   - source: The text the filter was parsed from, carried into errors.
    /// - Throws: `FilterError` at the column of the field or value at fault, when the filter came from text.
    public func validate(against schema: AttributeSchema, source: String?) throws(FilterError) {
        if self == .everyone { return }
        try validateNode(against: schema, source: source)
    }

    private func validateNode(against schema: AttributeSchema, source: String?) throws(FilterError) {
        switch self {
        case .all(let filters), .any(let filters):
            guard !filters.isEmpty else {
                throw FilterError(.invalidJSON, "\"all\" and \"any\" need at least one filter", column: nil, source: source)
            }
            for filter in filters { try filter.validateNode(against: schema, source: source) }
        case .not(let filter):
            try filter.validateNode(against: schema, source: source)
        case .condition(let condition):
            try FilterConditionValidator(condition: condition, schema: schema, source: source).validate()
        }
    }
}
