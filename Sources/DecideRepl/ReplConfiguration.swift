import LuaRuntime

/// How a REPL session is set up: where flows and the store are, how output looks, and the budget of a Lua line.
public struct ReplConfiguration: Sendable {
    /// The flows directory.
    public var flowsDirectory: String
    /// The SQLite store's path (opened when a command first needs it).
    public var databasePath: String
    /// Whether output uses ANSI colours.
    public var colour: Bool
    /// Whether a person is at a terminal: the progress bar of `:launch` is drawn, prompts are shown.
    public var interactive: Bool
    /// The limits of a Lua line typed at the prompt (not of flows: flows always run with the standard limits, as
    /// in a run). The default allows a billion instructions in 60 s, so Ctrl-C is the usual way out of a loop.
    public var consoleLimits: SandboxLimits

    /// The default console limits: a billion instructions, 60 seconds.
    public static let defaultConsoleLimits = SandboxLimits(instructionBudget: 1_000_000_000, deadlineSeconds: 60)

    /// Creates a configuration.
    public init(
        flowsDirectory: String = "flows", databasePath: String = "./decide.sqlite", colour: Bool = false,
        interactive: Bool = false, consoleLimits: SandboxLimits = Self.defaultConsoleLimits
    ) {
        self.flowsDirectory = flowsDirectory
        self.databasePath = databasePath
        self.colour = colour
        self.interactive = interactive
        self.consoleLimits = consoleLimits
    }
}
