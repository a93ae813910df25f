/// Which customers a command or a run targets: a saved segment, or an ad-hoc filter.
public enum SegmentSelection: Sendable, Hashable {
    /// The saved segment with this name (`all` always exists).
    case named(String)
    /// A filter expression in the text form of the filter language.
    case expression(String)
    /// A filter already parsed, for example from its JSON form.
    case filter(Filter)
}

extension SegmentSelection {
    /// The selection's filter, parsed and validated against `schema`, as every store compiles it.
    ///
    /// - Parameter savedFilter: The text of the saved segment's filter, for ``named(_:)``.
    /// - Throws: `FilterError` for a filter that does not parse or names an unknown attribute.
    public func validatedFilter(schema: AttributeSchema, savedFilter: String?) throws -> Filter {
        switch self {
        case .named:
            return try Self.validated(savedFilter ?? "", schema: schema)
        case .expression(let text):
            return try Self.validated(text, schema: schema)
        case .filter(let given):
            try given.validate(against: schema, source: nil)
            return given
        }
    }

    /// `text` parsed and validated against `schema`.
    static func validated(_ text: String, schema: AttributeSchema) throws(FilterError) -> Filter {
        let filter = try Filter(parsing: text)
        try filter.validate(against: schema, source: text)
        return filter
    }
}
