/// A filter prints as its text form, which parses back to an equal filter.
extension Filter: CustomStringConvertible {
    /// The text form: `and` groups inside `or` need no parentheses, other nested groups get them; `all` of nothing
    /// is `true` (empty at the top: everyone) and `any` of nothing is `false`.
    public var description: String {
        switch self {
        case .all([]): "true"
        case .any([]): "false"
        case .all(let filters): filters.map { $0.operand(insideAll: true) }.joined(separator: " and ")
        case .any(let filters): filters.map { $0.operand(insideAll: false) }.joined(separator: " or ")
        case .not(let filter): "not " + filter.operand(insideAll: true)
        case .condition(let condition): Self.text(of: condition)
        }
    }

    private func operand(insideAll: Bool) -> String {
        switch self {
        case .all([]), .any([]): description
        case .all(let filters) where filters.count > 1 && !insideAll: description
        case .all(let filters) where filters.count == 1: filters[0].operand(insideAll: insideAll)
        case .any(let filters) where filters.count == 1: filters[0].operand(insideAll: insideAll)
        case .all, .any: "(" + description + ")"
        case .not, .condition: description
        }
    }

    private static func text(of condition: FilterCondition) -> String {
        let values = condition.values.map(\.description)
        return switch condition.op.arity {
        case .none: "\(condition.field) \(condition.op.keyword)"
        case .one: "\(condition.field) \(condition.op.keyword) \(values.joined())"
        case .list: "\(condition.field) \(condition.op.keyword) (\(values.joined(separator: ", ")))"
        }
    }
}
