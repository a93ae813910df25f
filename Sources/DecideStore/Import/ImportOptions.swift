/// How an import treats the existing audience, the column types and bad rows.
public struct ImportOptions: Sendable {
    /// Column types that override inference (`--schema name:type,...`).
    public var schema: [String: AttributeType]
    /// Replace the whole audience instead of updating existing ids and adding new ones.
    public var replace: Bool
    /// Report bad rows to `onRejected` and import the rest, instead of stopping with nothing imported.
    public var skipInvalid: Bool
    /// Called with each bad row when `skipInvalid` is set.
    public var onRejected: @Sendable (ImportError) -> Void

    /// Creates import options; by default ids that exist are updated and the first bad row stops the import.
    public init(
        schema: [String: AttributeType] = [:], replace: Bool = false, skipInvalid: Bool = false,
        onRejected: @escaping @Sendable (ImportError) -> Void = { _ in }
    ) {
        self.schema = schema
        self.replace = replace
        self.skipInvalid = skipInvalid
        self.onRejected = onRejected
    }

    /// Reads `--schema name:type,name:type`.
    ///
    /// - Throws: `ImportError` with code `invalidSchema` naming the entry that cannot be read.
    public static func parseSchema(_ text: String) throws(ImportError) -> [String: AttributeType] {
        var schema: [String: AttributeType] = [:]
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
            let name = parts.first.map { String($0).trimmingSpaces } ?? ""
            guard parts.count == 2, Attribute.isValidName(name),
                let type = AttributeType(schemaName: String(parts[1]).trimmingSpaces)
            else {
                throw ImportError(
                    .invalidSchema,
                    "cannot read \"\(entry)\": write name:type with a type among integer, real, text, boolean",
                    file: "--schema", value: String(entry))
            }
            schema[name] = type
        }
        return schema
    }
}
