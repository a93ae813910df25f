/// The totals of a run, accumulated batch by batch as they are committed.
public struct RunSummary: Sendable, Hashable, Codable {
    /// Customers committed, with or without recommendations, failed ones included.
    public var totalCustomers: Int
    /// Customers who received at least one recommendation.
    public var customersWithRecommendations: Int
    /// Recommendations made, all ranks together.
    public var totalRecommendations: Int
    /// Time spent evaluating, summed over the committed batches, in milliseconds.
    public var executionTimeMs: Int
    /// Customers whose evaluation failed within the error budget.
    public var errorsRecorded: Int

    /// Creates a summary.
    public init(
        totalCustomers: Int, customersWithRecommendations: Int, totalRecommendations: Int, executionTimeMs: Int,
        errorsRecorded: Int
    ) {
        self.totalCustomers = totalCustomers
        self.customersWithRecommendations = customersWithRecommendations
        self.totalRecommendations = totalRecommendations
        self.executionTimeMs = executionTimeMs
        self.errorsRecorded = errorsRecorded
    }
}
