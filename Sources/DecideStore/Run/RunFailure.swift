/// Why a run failed: the message, and where it happened when known (the flow file and line, the customer).
public struct RunFailure: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The error, in words.
    public var message: String
    /// The flow file the error was raised in.
    public var file: String?
    /// The line in `file`.
    public var line: Int?
    /// The customer being evaluated.
    public var customerId: String?

    /// The message of a run marked failed because the process running it stopped; such a run can be resumed.
    public static let interruptedMessage = "interrupted: the process running it stopped"

    /// Creates a failure.
    public init(message: String, file: String? = nil, line: Int? = nil, customerId: String? = nil) {
        self.message = message
        self.file = file
        self.line = line
        self.customerId = customerId
    }

    /// `file:line: message (customer id)`, with the parts that are known.
    public var description: String {
        var text = ""
        if let file { text += line.map { "\(file):\($0): " } ?? "\(file): " }
        text += message
        if let customerId { text += " (customer \(customerId))" }
        return text
    }
}
