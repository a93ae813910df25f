import LuaRuntime

/// A flow failed while deciding one customer: the Lua error, with the flow, stage, offer and customer it
/// happened at.
public struct DecisionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The flow's key.
    public var flow: String
    /// The customer being decided.
    public var customerId: String
    /// The stage that was running, when one was.
    public var stage: String?
    /// The offer the stage was looking at, when it was looking at one.
    public var offerId: String?
    /// The underlying error, with the script's file and line.
    public var error: LuaError

    /// The script file the error names.
    public var file: String? { error.file }
    /// The line the error names.
    public var line: Int? { error.line }

    public var description: String {
        var context: [String] = []
        if let stage { context.append("stage '\(stage)'") }
        if let offerId { context.append("offer '\(offerId)'") }
        context.append("customer \(customerId)")
        var message = error
        message.customerId = nil
        return "\(message) (\(context.joined(separator: ", ")))"
    }
}
