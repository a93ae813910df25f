/// What an import did.
public struct ImportSummary: Sendable, Hashable, Codable {
    /// Rows written (inserted or updated).
    public var imported: Int
    /// Bad rows reported and left out (only with `skipInvalid`).
    public var rejected: Int
    /// Attributes the import added to the schema.
    public var addedAttributes: [Attribute]

    /// Creates a summary.
    public init(imported: Int, rejected: Int, addedAttributes: [Attribute]) {
        self.imported = imported
        self.rejected = rejected
        self.addedAttributes = addedAttributes
    }
}
