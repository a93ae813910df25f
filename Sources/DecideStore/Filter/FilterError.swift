/// A filter that cannot be parsed or does not fit the customer attributes: the problem, where it is and the text.
///
/// Prints as `filter: column 12: unknown field "agee" (did you mean "age"?); known fields: ...`.
public struct FilterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem the filter has.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case syntax, unterminatedString, unexpectedEnd, emptyList, unknownField, typeMismatch, invalidRegex, invalidJSON
        }

        private let base: Base

        /// A token where it does not belong, or a character that is not part of the language.
        public static let syntax = Code(base: .syntax)
        /// A string literal without its closing quote.
        public static let unterminatedString = Code(base: .unterminatedString)
        /// The filter ends where an operand or a condition should follow (a dangling operator).
        public static let unexpectedEnd = Code(base: .unexpectedEnd)
        /// `in ()` or `not in ()` without values.
        public static let emptyList = Code(base: .emptyList)
        /// A field that is not a customer attribute.
        public static let unknownField = Code(base: .unknownField)
        /// A value or operator that does not fit the field's type.
        public static let typeMismatch = Code(base: .typeMismatch)
        /// A `matches` pattern that is not a valid regular expression.
        public static let invalidRegex = Code(base: .invalidRegex)
        /// A JSON form that does not have the expected shape.
        public static let invalidJSON = Code(base: .invalidJSON)

        /// The code's name, such as `unknownField`.
        public var description: String { base.rawValue }
    }

    /// The kind of problem.
    public var code: Code
    /// The problem, in words.
    public var message: String
    /// The 1-based character column where the problem is, when the filter was given as text.
    public var column: Int?
    /// The filter's text, when it was given as text.
    public var source: String?
    /// Where the problem is in a filter given in the JSON form, as a JSON path (`filter.any[2].op`).
    public var path: String?

    /// Creates a filter error.
    public init(_ code: Code, _ message: String, column: Int?, source: String?) {
        self.code = code
        self.message = message
        self.column = column
        self.source = source
    }

    /// `filter: column N: problem`, `PATH: problem` for the JSON form, or `filter: problem`.
    public var description: String {
        if let path { return "\(path): \(message)" }
        return column.map { "filter: column \($0): \(message)" } ?? "filter: \(message)"
    }
}
