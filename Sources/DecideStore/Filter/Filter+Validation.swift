/// Checking a filter against the customer attributes before any backend compiles it.
extension Filter {
    /// Checks that every field exists, that every value and operator fits its field's type, and that every
    /// `matches` pattern is a valid regular expression. Groups may be empty: `all` of nothing passes everyone,
    /// `any` of nothing passes no one.
    ///
    /// - Parameters:
    ///   - schema: The customer attributes.
    ///   - source: The text the filter was parsed from, carried into errors.
    ///   - path: For a filter given in the JSON form, the JSON path of its root (`filter`): errors then name the
    ///     path of the node at fault (`filter.any[2].op`) instead of a column.
    /// - Throws: `FilterError` at the column (or JSON path) of the field or value at fault.
    public func validate(against schema: AttributeSchema, source: String?, path: String? = nil) throws(FilterError) {
        guard nodeCount <= InputLimits.filterNodes else {
            var error = FilterError(
                .syntax, "the filter has \(nodeCount) conditions and groups; at most \(InputLimits.filterNodes)",
                column: nil, source: source)
            error.path = path
            throw error
        }
        try validateNode(against: schema, source: source, path: path)
    }

    /// How many conditions and groups the filter has.
    var nodeCount: Int {
        switch self {
        case .all(let filters), .any(let filters): 1 + filters.reduce(0) { $0 + $1.nodeCount }
        case .not(let filter): 1 + filter.nodeCount
        case .condition: 1
        }
    }

    private func validateNode(against schema: AttributeSchema, source: String?, path: String?) throws(FilterError) {
        switch self {
        case .all(let filters), .any(let filters):
            let key = if case .all = self { "all" } else { "any" }
            for (index, filter) in filters.enumerated() {
                try filter.validateNode(against: schema, source: source, path: path.map { "\($0).\(key)[\(index)]" })
            }
        case .not(let filter):
            try filter.validateNode(against: schema, source: source, path: path.map { "\($0).not" })
        case .condition(let condition):
            do {
                try FilterConditionValidator(condition: condition, schema: schema, source: source).validate()
            } catch {
                guard let path else { throw error }
                var located = error
                located.path = path + "." + Self.member(at: error.code, of: condition)
                throw located
            }
        }
    }

    /// The member of a JSON condition an error is about.
    private static func member(at code: FilterError.Code, of condition: FilterCondition) -> String {
        switch code {
        case .unknownField: "field"
        case .typeMismatch, .invalidRegex, .emptyList: condition.values.isEmpty ? "op" : "value"
        default: "op"
        }
    }
}
