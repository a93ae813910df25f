/// The limits every sandboxed Lua state enforces on the scripts it runs.
public struct SandboxLimits: Sendable, Hashable {
    /// Bytes a state may allocate (default 64 MiB). Past it the script gets Lua's out-of-memory error.
    public var memoryBytes: Int
    /// VM instructions one call may execute (default 10 million: one customer's decision).
    public var instructionBudget: Int
    /// Wall-clock seconds one call may take (default 2 s), the guard for time spent inside C functions.
    public var deadlineSeconds: Double
    /// The longest string a script may build with `string.rep` (default 16 MiB).
    public var maxStringBytes: Int
    /// Bytes `print` may write to the captured log per call before further lines are dropped (default 64 KiB).
    public var printLogBytes: Int

    /// Limits with explicit values; every parameter defaults to the documented default.
    public init(
        memoryBytes: Int = 64 << 20,
        instructionBudget: Int = 10_000_000,
        deadlineSeconds: Double = 2,
        maxStringBytes: Int = 16 << 20,
        printLogBytes: Int = 64 << 10
    ) {
        self.memoryBytes = memoryBytes
        self.instructionBudget = instructionBudget
        self.deadlineSeconds = deadlineSeconds
        self.maxStringBytes = maxStringBytes
        self.printLogBytes = printLogBytes
    }

    /// The documented defaults.
    public static let standard = SandboxLimits()
}
