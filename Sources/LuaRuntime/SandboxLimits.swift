/// The limits every sandboxed Lua state enforces on the scripts it runs.
public struct SandboxLimits: Sendable, Hashable {
    /// Bytes a state may allocate (default 64 MiB). Past it the script gets Lua's out-of-memory error.
    public var memoryBytes: Int
    /// VM instructions one call may execute once it is metered (default 10 million: one customer's decision).
    public var instructionBudget: Int
    /// Wall-clock seconds one call may take (default 2 s), the guard for time spent inside C functions.
    public var deadlineSeconds: Double
    /// Seconds a call runs before its instruction budget starts counting (default 10 ms), at most; see
    /// ``effectiveGraceSeconds`` for the grace a call gets.
    ///
    /// A call starts with no instruction-count hook, at Lua's full speed; once it has run this long a watchdog
    /// arms the hook, and from then on the budget, the deadline and interrupts are checked as usual. So a call
    /// may execute its grace's worth of instructions on top of ``instructionBudget``, and code inside coroutines
    /// is always metered from its first instruction. A grace longer than ``deadlineSeconds`` is cut to it. `0`
    /// meters every call from its first instruction: an exact, deterministic budget, at the price of the hook on
    /// every instruction.
    public var unmeteredGraceSeconds: Double
    /// The longest string a script may build with `string.rep` (default 16 MiB).
    public var maxStringBytes: Int
    /// Bytes `print` may write to the captured log per call before further lines are dropped (default 64 KiB).
    public var printLogBytes: Int

    /// Limits with explicit values; every parameter defaults to the documented default.
    public init(
        memoryBytes: Int = 64 << 20,
        instructionBudget: Int = 10_000_000,
        deadlineSeconds: Double = 2,
        unmeteredGraceSeconds: Double = 0.01,
        maxStringBytes: Int = 16 << 20,
        printLogBytes: Int = 64 << 10
    ) {
        self.memoryBytes = memoryBytes
        self.instructionBudget = instructionBudget
        self.deadlineSeconds = deadlineSeconds
        self.unmeteredGraceSeconds = unmeteredGraceSeconds
        self.maxStringBytes = maxStringBytes
        self.printLogBytes = printLogBytes
    }

    /// The grace a call gets: ``unmeteredGraceSeconds``, but none at all under a budget of a million instructions
    /// (such a budget is exact: metered from the first instruction), and never more than a nanosecond per budgeted
    /// instruction, so that what runs unmetered stays within about the budget itself (Lua executes well under one
    /// instruction per nanosecond). Without a budget (`instructionBudget` 0) the grace only delays the deadline's
    /// and interrupts' checks, and is kept whole.
    public var effectiveGraceSeconds: Double {
        guard instructionBudget > 0 else { return unmeteredGraceSeconds }
        guard instructionBudget >= Self.exactBudgetThreshold else { return 0 }
        return min(unmeteredGraceSeconds, Double(instructionBudget) * 1e-9)
    }

    /// Budgets below this many instructions are always metered from the first instruction.
    public static let exactBudgetThreshold = 1_000_000

    /// The documented defaults.
    public static let standard = SandboxLimits()

    /// The largest limits a run may ask for where no operator set others: 4 GiB, 10 billion instructions, 10
    /// minutes.
    public static let maximum = SandboxLimits(
        memoryBytes: 4 << 30, instructionBudget: 10_000_000_000, deadlineSeconds: 600)

    /// The largest limits a run may ask for from `decide serve` unless its operator sets others: 256 MiB, 100
    /// million instructions, 10 seconds.
    public static let serverMaximum = SandboxLimits(memoryBytes: 256 << 20, instructionBudget: 100_000_000, deadlineSeconds: 10)
}
