/// What a run decided for one customer: the recommendations in rank order (none is a result too), or the error
/// that stopped the customer's evaluation.
public struct CustomerResult: Sendable, Hashable, Codable {
    /// The customer's id.
    public var customerId: String
    /// The recommendations, by rank.
    public var recommendations: [Recommendation]
    /// Why the customer's evaluation failed, if it did.
    public var error: String?
    /// The candidates a run's volume allocation did not deliver, in the customer's candidate order, with why; `nil`
    /// when not asked for or when the run has no constraints.
    public var dropped: [DroppedCandidate]?

    /// Creates a customer result.
    public init(customerId: String, recommendations: [Recommendation], error: String?, dropped: [DroppedCandidate]? = nil) {
        self.customerId = customerId
        self.recommendations = recommendations
        self.error = error
        self.dropped = dropped
    }
}
