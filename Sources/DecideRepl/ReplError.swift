/// A REPL command that cannot be carried out: an unknown command, missing or malformed arguments, or something
/// the command needs that is not there yet (no flow, no customer, no audience, no run). It prints as one line
/// saying what to do.
public struct ReplError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is. New codes may be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case unknownCommand = "unknown command"
            case usage = "usage"
            case missing = "missing"
            case notFound = "not found"
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The line starts with `:` but names no command.
        public static let unknownCommand = Code(.unknownCommand)
        /// The command's arguments are missing or malformed.
        public static let usage = Code(.usage)
        /// The command needs a flow, a customer, an audience or a run that is not selected.
        public static let missing = Code(.missing)
        /// The offer, field or run named does not exist.
        public static let notFound = Code(.notFound)

        public var description: String { value.rawValue }
    }

    /// What kind of problem this is.
    public var code: Code
    /// What is wrong and what to do, in one line.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
