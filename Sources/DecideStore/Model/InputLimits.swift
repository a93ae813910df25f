/// The bounds of what a person or a client may give Decide, in one place: every input has one, and the API's
/// document states them.
public enum InputLimits {
    /// A run's or segment's name: at most 200 characters (a segment name also has a pattern of its own).
    public static let nameCharacters = 200
    /// A segment's description: at most 2,000 characters.
    public static let descriptionCharacters = 2000
    /// A filter in the text form: at most 10,000 characters.
    public static let filterCharacters = 10_000
    /// The conditions and groups of a filter: at most 1,000.
    public static let filterNodes = 1000
    /// The values of one `in` list: at most 1,000.
    public static let listValues = 1000
    /// One text value in a filter: at most 1,000 characters.
    public static let textValueCharacters = 1000
}
