import LuaRuntime

/// An error about a flow as a whole: it cannot be found, read or loaded, or it has problems.
public struct FlowError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong. New codes may be added.
    public enum Code: String, Sendable, Hashable {
        /// No flow has that key or path.
        case unknownFlow = "unknown flow"
        /// The flow does not load (syntax error, error at its top level, a missing module).
        case loadFailed = "flow does not load"
        /// The flow loads but its definition has problems (duplicate offer ids, bad stages, ...).
        case invalid = "invalid flow"
        /// A flow test file is missing or malformed.
        case badTests = "invalid flow tests"
        /// The flow compiled to a different catalogue than when its run was planned (it depends on something
        /// that varies between states).
        case inconsistent = "flow compiles inconsistently"
    }

    /// What went wrong.
    public var code: Code
    /// The flow's key (or what the user typed).
    public var flow: String
    /// Each problem, with file and line where known.
    public var problems: [String]

    /// Creates an error.
    public init(_ code: Code, flow: String, problems: [String]) {
        self.code = code
        self.flow = flow
        self.problems = problems
    }

    /// A load failure carrying the Lua error's message.
    init(loading flow: String, _ error: LuaError) {
        self.init(.loadFailed, flow: flow, problems: [error.description])
    }

    public var description: String {
        switch problems.count {
        case 0: "\(code.rawValue): \(flow)"
        case 1: "\(code.rawValue) '\(flow)': \(problems[0])"
        default: "\(code.rawValue) '\(flow)':\n" + problems.map { "  " + $0 }.joined(separator: "\n")
        }
    }
}
