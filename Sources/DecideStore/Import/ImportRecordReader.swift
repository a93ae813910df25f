/// Reads the records of an import one at a time, so that a file of any size streams through in constant memory.
protocol ImportRecordReader {
    /// The name of the source, for error messages.
    var file: String { get }
    /// The field names, in the order of `value(at:as:)`'s indexes.
    var fieldNames: [String] { get }
    /// The type each field is known to have, or `nil` where the data decides.
    var declaredTypes: [AttributeType?] { get }
    /// The 1-based line where the current record starts.
    var line: Int { get }

    /// Moves to the next record.
    ///
    /// - Returns: `false` at the end of the data.
    /// - Throws: `ImportError` for a malformed record; the next call moves on to the record after it.
    mutating func next() throws(ImportError) -> Bool

    /// The narrowest type the current record's field `index` fits, or `nil` when the value is missing.
    func kind(at index: Int) -> AttributeType?

    /// The current record's field `index` as a value of `type`: `.null` when missing, `nil` when it does not fit.
    func value(at index: Int, as type: AttributeType) -> AttributeValue?

    /// The current record's field `index` as written, for error messages.
    func text(at index: Int) -> String
}
