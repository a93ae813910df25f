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

    /// Creates run options.
    public init(workers: Int, batchSize: Int, seed: UInt64? = nil, maxErrors: Int = 0) {
        self.workers = workers
        self.batchSize = batchSize
        self.seed = seed
        self.maxErrors = maxErrors
    }
}
