/// How a run executes: its parallelism, batch size, random seed and error budget.
public struct RunOptions: Sendable, Hashable, Codable {
    /// How many workers evaluate customers at once.
    public var workers: Int
    /// How many customers are evaluated and committed together.
    public var batchSize: Int
    /// The seed of the flow's random numbers, if fixed.
    public var seed: UInt64?
    /// How many customers may fail before the whole run fails.
    public var maxErrors: Int
    /// The sandbox's limits for this run's flow calls, where they differ from the defaults.
    public var limits: RunLimits
    /// How many customers of the frozen audience one chunk holds: the unit worker processes claim.
    public var chunkSize: Int
    /// The run-wide volume constraints in force (the flow's merged with the run's own); none: no allocation.
    public var constraints: [VolumeConstraint]

    /// The chunk size when none is given: big enough that claims are rare (a claim per ~0.2 s per worker at
    /// 50,000 customers/s), small enough that a dead worker's chunk is soon redone and two workers share a run
    /// of 100,000 customers.
    public static let defaultChunkSize = 10_000
    /// The largest chunk size a run accepts.
    public static let maximumChunkSize = 10_000_000

    /// Creates run options.
    public init(
        workers: Int, batchSize: Int, seed: UInt64? = nil, maxErrors: Int = 0, limits: RunLimits = RunLimits(),
        chunkSize: Int = RunOptions.defaultChunkSize, constraints: [VolumeConstraint] = []
    ) {
        self.constraints = constraints
        self.workers = workers
        self.batchSize = batchSize
        self.seed = seed
        self.maxErrors = maxErrors
        self.limits = limits
        self.chunkSize = chunkSize
    }
}

/// The sandbox limits a run asked for; `nil` means the default (docs/sandbox.md).
public struct RunLimits: Sendable, Hashable, Codable {
    /// Memory per Lua state, in MiB.
    public var memoryLimitMiB: Int?
    /// VM instructions per customer.
    public var instructionBudget: Int?
    /// Wall-clock seconds per customer.
    public var deadlineSeconds: Double?

    /// Limits; each `nil` is the default.
    public init(memoryLimitMiB: Int? = nil, instructionBudget: Int? = nil, deadlineSeconds: Double? = nil) {
        self.memoryLimitMiB = memoryLimitMiB
        self.instructionBudget = instructionBudget
        self.deadlineSeconds = deadlineSeconds
    }
}
