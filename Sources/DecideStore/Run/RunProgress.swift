/// How far a run has got, and where a resumed run starts again.
public struct RunProgress: Sendable, Hashable, Codable {
    /// Customers evaluated so far.
    public var processed: Int
    /// Customers in the run's audience, known once the run has started.
    public var total: Int?
    /// The last customer of the last committed batch: a resumed run starts after it.
    public var lastCustomerId: String?

    /// Creates a progress.
    public init(processed: Int, total: Int?, lastCustomerId: String?) {
        self.processed = processed
        self.total = total
        self.lastCustomerId = lastCustomerId
    }
}
