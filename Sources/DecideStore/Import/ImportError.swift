/// A problem with an import file: what is wrong and where, down to the line, column, field and value.
///
/// Prints as `people.csv:70001: column 3 "age": "abc" does not fit the integer column`.
public struct ImportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem the file has.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case unreadableFile, invalidHeader, invalidSchema, wrongFieldCount, unterminatedQuote, invalidJSON
            case valueDoesNotFit, missingID, duplicateID
        }

        private let base: Base

        /// The file cannot be opened or read.
        public static let unreadableFile = Code(base: .unreadableFile)
        /// The header (or the JSON keys) has no `id`, an invalid or a repeated name.
        public static let invalidHeader = Code(base: .invalidHeader)
        /// A `--schema` entry that cannot be read or contradicts an existing attribute.
        public static let invalidSchema = Code(base: .invalidSchema)
        /// A CSV row whose number of fields differs from the header's.
        public static let wrongFieldCount = Code(base: .wrongFieldCount)
        /// A quoted CSV field that the file ends inside.
        public static let unterminatedQuote = Code(base: .unterminatedQuote)
        /// A JSON Lines line that is not a JSON object of scalars.
        public static let invalidJSON = Code(base: .invalidJSON)
        /// A value that does not fit its column's type.
        public static let valueDoesNotFit = Code(base: .valueDoesNotFit)
        /// A row with an empty or missing id.
        public static let missingID = Code(base: .missingID)
        /// An id that appears twice in the file.
        public static let duplicateID = Code(base: .duplicateID)

        /// The code's name, such as `duplicateID`.
        public var description: String { base.rawValue }
    }

    /// The kind of problem.
    public var code: Code
    /// The problem, in words.
    public var message: String
    /// The file being imported.
    public var file: String
    /// The 1-based line where the offending record starts, if the problem is in a record.
    public var line: Int?
    /// The 1-based position of the offending field in the record, if any.
    public var column: Int?
    /// The name of the offending field, if any.
    public var field: String?
    /// The offending value as written, if any.
    public var value: String?

    /// Creates an import error.
    public init(
        _ code: Code, _ message: String, file: String, line: Int? = nil, column: Int? = nil,
        field: String? = nil, value: String? = nil
    ) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.value = value
    }

    /// `file:line: column N "field": problem`, leaving out what is unknown.
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        switch (column, field) {
        case let (column?, field?): text += ": column \(column) \"\(field)\""
        case let (column?, nil): text += ": column \(column)"
        case let (nil, field?): text += ": field \"\(field)\""
        case (nil, nil): break
        }
        return text + ": " + message
    }
}
