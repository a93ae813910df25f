/// A parsed filter: the one representation that both the text form and the JSON form produce,
/// and that each store backend compiles to its query language.
///
/// ```swift
/// let filter = try Filter(parsing: #"age >= 30 and region in ("north", "west")"#)
/// ```
public indirect enum Filter: Sendable, Hashable {
    /// Every filter in the list matches; an empty list matches every customer.
    case all([Filter])
    /// At least one filter in the list matches; an empty list matches no customer.
    case any([Filter])
    /// The filter does not match (and, as in SQL, a condition on a missing value matches neither way).
    case not(Filter)
    /// One condition.
    case condition(FilterCondition)

    /// The filter that matches every customer.
    public static let everyone = Filter.all([])
    /// The filter no customer passes: `any` of nothing (text form `false`).
    public static let nobody = Filter.any([])

    /// Parses the text form of the filter language; an empty or blank text gives `everyone`.
    ///
    /// - Throws: `FilterError` naming the column and the problem.
    public init(parsing source: String) throws(FilterError) {
        guard source.count <= InputLimits.filterCharacters else {
            throw FilterError(
                .syntax, "the filter is \(source.count) characters long; at most \(InputLimits.filterCharacters)",
                column: InputLimits.filterCharacters + 1, source: nil)
        }
        var parser = FilterParser(source: source)
        self = try parser.parse()
    }

    /// Every condition in the filter, depth first.
    public var conditions: [FilterCondition] {
        switch self {
        case .all(let filters), .any(let filters): filters.flatMap(\.conditions)
        case .not(let filter): filter.conditions
        case .condition(let condition): [condition]
        }
    }
}
