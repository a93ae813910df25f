/// Which customers a command or a run targets: a saved segment, or an ad-hoc filter.
public enum SegmentSelection: Sendable, Hashable {
    /// The saved segment with this name (`all` always exists).
    case named(String)
    /// A filter expression in the text form of the filter language.
    case expression(String)
    /// A filter already parsed, for example from its JSON form.
    case filter(Filter)
}
