/// An error raised while loading or running a Lua script in the sandbox.
///
/// It carries the script's file and line when Lua knows them (`flows/cross_sell.lua:12: attempt to compare nil
/// with number`), and the customer id when the call ran for a customer.
public struct LuaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case syntax = "syntax error"
            case runtime = "runtime error"
            case memoryLimit = "memory limit exceeded"
            case instructionLimit = "instruction budget exceeded"
            case deadline = "deadline exceeded"
            case interrupted = "interrupted"
            case stringLimit = "string limit exceeded"
            case badValue = "bad value"
            case module = "module error"
            case unavailable = "state unavailable"
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The script does not compile.
        public static let syntax = Code(.syntax)
        /// The script raised an error while running.
        public static let runtime = Code(.runtime)
        /// The script allocated past the state's memory cap.
        public static let memoryLimit = Code(.memoryLimit)
        /// The script spent its instruction budget.
        public static let instructionLimit = Code(.instructionLimit)
        /// The call ran past its wall-clock deadline.
        public static let deadline = Code(.deadline)
        /// The host interrupted the call (Ctrl-C in the REPL, a cancelled run).
        public static let interrupted = Code(.interrupted)
        /// The script tried to build a string over the sandbox's string limit.
        public static let stringLimit = Code(.stringLimit)
        /// A value crossing the boundary has the wrong shape (a function where data was expected, a cycle, ...).
        public static let badValue = Code(.badValue)
        /// `require` could not find or load a module.
        public static let module = Code(.module)
        /// The Lua state could not be created.
        public static let unavailable = Code(.unavailable)

        /// Whether the code is one of the sandbox's limits (memory, instructions, deadline, string size,
        /// interruption).
        public var isLimit: Bool {
            switch value {
            case .memoryLimit, .instructionLimit, .deadline, .interrupted, .stringLimit: true
            default: false
            }
        }

        public var description: String { value.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// Lua's message, including the `file:line:` prefix when Lua gave one.
    public var message: String
    /// The customer the call ran for, when it ran for one.
    public var customerId: String?

    /// Creates an error; a message longer than ``maximumMessageBytes`` is cut (see ``bounded(_:)``).
    public init(_ code: Code, _ message: String, customerId: String? = nil) {
        self.code = code
        self.message = Self.bounded(message)
        self.customerId = customerId
    }

    /// The most bytes of a message an error keeps (and so a run stores per failing customer): 1 KiB.
    public static let maximumMessageBytes = 1024

    /// `message` cut to at most ``maximumMessageBytes`` bytes on a character boundary, marked as cut.
    public static func bounded(_ message: String) -> String {
        guard message.utf8.count > maximumMessageBytes else { return message }
        let marker = " [cut]"
        var end = message.utf8.index(message.utf8.startIndex, offsetBy: maximumMessageBytes - marker.utf8.count)
        while end > message.startIndex && !message.unicodeScalars.indices.contains(end) {
            end = message.utf8.index(before: end)
        }
        return String(message[..<end]) + marker
    }

    /// The script file named in the message (`flows/cross_sell.lua`), when there is one.
    public var file: String? { location?.file }
    /// The line named in the message, when there is one.
    public var line: Int? { location?.line }

    private var location: (file: String, line: Int)? {
        guard let colon = message.firstIndex(of: ":") else { return nil }
        let rest = message[message.index(after: colon)...]
        let digits = rest.prefix(while: \.isNumber)
        guard !digits.isEmpty, rest.dropFirst(digits.count).first == ":", let line = Int(digits) else { return nil }
        return (String(message[..<colon]), line)
    }

    public var description: String {
        var text = code.isLimit && !message.contains(code.description) ? "\(code): \(message)" : message
        if let customerId { text += " (customer \(customerId))" }
        return text
    }
}
