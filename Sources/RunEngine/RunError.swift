/// A run that cannot be created, started or resumed as asked.
public struct RunError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong. New codes may be added.
    public enum Code: String, Sendable, Hashable {
        /// The request is invalid (both or neither of segment and filter, an option out of range).
        case invalidRequest = "invalid run request"
        /// The run is not in a state that allows this (resuming a completed run, cancelling a finished one).
        case wrongState = "run is not in the right state"
    }

    /// What is wrong.
    public var code: Code
    /// The problem, naming the field and the value.
    public var message: String
    /// The request field at fault (`workers`, `batchSize`, `maxErrors`, `segment`), when one is.
    public var field: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
