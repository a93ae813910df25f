/// Checks one condition against the customer attributes.
struct FilterConditionValidator {
    let condition: FilterCondition
    let schema: AttributeSchema
    let source: String?

    func validate() throws(FilterError) {
        guard let attribute = schema.attribute(named: condition.field) else { throw unknownField() }
        try validateArity()
        switch condition.op {
        case .isNull, .isNotNull:
            return
        case .contains, .startsWith, .matches:
            guard attribute.type == .text else {
                throw error(.typeMismatch, "\"\(condition.op.keyword)\" needs a text field, but \"\(attribute.name)\" is \(article(attribute.type)) field", column: location?.field)
            }
        case .lt, .lte, .gt, .gte:
            guard attribute.type != .boolean else {
                throw error(.typeMismatch, "\"\(attribute.name)\" is a boolean field: it takes \"=\" and \"!=\", not \"\(condition.op.keyword)\"", column: location?.field)
            }
        case .eq, .ne, .in, .notIn:
            break
        }
        guard condition.values.count <= InputLimits.listValues else {
            throw error(.typeMismatch, "\(condition.values.count) values for \"\(condition.op.keyword)\"; at most \(InputLimits.listValues)",
                        column: location?.field)
        }
        for (index, value) in condition.values.enumerated() {
            if case .text(let text) = value, text.count > InputLimits.textValueCharacters {
                throw error(.typeMismatch, "a text value of \(text.count) characters; at most \(InputLimits.textValueCharacters)",
                            column: location?.values[index])
            }
            try validate(value, at: location?.values[index], for: attribute)
        }
        if condition.op == .matches, case .text(let pattern) = condition.values[0] {
            do {
                _ = try RegexCache.shared.regex(for: pattern)
            } catch {
                throw self.error(.invalidRegex, "invalid regular expression \(condition.values[0])", column: location?.values[0])
            }
        }
    }

    private var location: FilterLocation? { condition.location }

    private func validateArity() throws(FilterError) {
        let count = condition.values.count
        switch condition.op.arity {
        case .none where count == 0, .one where count == 1: return
        case .list where count > 0: return
        case .list: throw error(.emptyList, "empty list for \"\(condition.op.keyword)\": give at least one value", column: location?.field)
        default: throw error(.invalidJSON, "\"\(condition.op.keyword)\" takes \(condition.op.arity == .none ? "no value" : "one value")", column: location?.field)
        }
    }

    private func validate(_ value: AttributeValue, at column: Int?, for attribute: Attribute) throws(FilterError) {
        let fits = switch (attribute.type, value) {
        case (.integer, .integer), (.integer, .real), (.real, .integer), (.real, .real): true
        case (.text, .text), (.boolean, .boolean): true
        default: false
        }
        guard fits else {
            let what = value == .null ? "null (use \"is null\")" : "the \(value.type?.rawValue ?? "") \(value)"
            throw error(.typeMismatch, "\"\(attribute.name)\" is \(article(attribute.type)) field and cannot be compared with \(what)", column: column)
        }
    }

    private func unknownField() -> FilterError {
        let suggestion = FieldSuggestion.nearest(to: condition.field, among: schema.names).map { " (did you mean \"\($0)\"?)" } ?? ""
        return error(
            .unknownField,
            "unknown field \"\(condition.field)\"\(suggestion); known fields: \(schema.names.joined(separator: ", "))",
            column: location?.field)
    }

    private func article(_ type: AttributeType) -> String {
        type == .integer ? "an integer" : "a \(type.rawValue)"
    }

    private func error(_ code: FilterError.Code, _ message: String, column: Int?) -> FilterError {
        FilterError(code, message, column: column, source: source)
    }
}
