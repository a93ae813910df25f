/// The operator of one filter condition. The raw values are the `op` names of the JSON form.
public enum FilterOperator: String, Sendable, Hashable, Codable, CaseIterable {
    /// `=`: equal.
    case eq
    /// `!=`: not equal.
    case ne
    /// `<`: less than.
    case lt
    /// `<=`: less than or equal.
    case lte
    /// `>`: greater than.
    case gt
    /// `>=`: greater than or equal.
    case gte
    /// `in (...)`: equal to one of the listed values.
    case `in`
    /// `not in (...)`: equal to none of the listed values.
    case notIn = "not_in"
    /// `contains`: the text contains the literal, case-sensitively.
    case contains
    /// `starts with`: the text starts with the literal, case-sensitively.
    case startsWith = "starts_with"
    /// `matches`: the text matches the regular expression.
    case matches
    /// `is null`: the value is missing.
    case isNull = "is_null"
    /// `is not null`: the value is present.
    case isNotNull = "is_not_null"

    /// How the operator is written in the text form.
    public var keyword: String {
        switch self {
        case .eq: "="
        case .ne: "!="
        case .lt: "<"
        case .lte: "<="
        case .gt: ">"
        case .gte: ">="
        case .in: "in"
        case .notIn: "not in"
        case .contains: "contains"
        case .startsWith: "starts with"
        case .matches: "matches"
        case .isNull: "is null"
        case .isNotNull: "is not null"
        }
    }

    /// How many values the operator takes.
    public var arity: Arity {
        switch self {
        case .isNull, .isNotNull: .none
        case .in, .notIn: .list
        default: .one
        }
    }

    /// How many values an operator takes: none, exactly one, or a non-empty list.
    public enum Arity: Sendable, Hashable {
        /// No value (`is null`, `is not null`).
        case none
        /// Exactly one value.
        case one
        /// One or more values (`in`, `not in`).
        case list
    }
}
