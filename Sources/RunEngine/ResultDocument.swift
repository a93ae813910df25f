import DecideStore

/// One customer's stored result as JSON: `{"customerId", "recommendations": [{rank, offerId, channel, score}],
/// "error"}`.
public struct ResultDocument: Sendable, Encodable {
    /// The customer's id.
    public var customerId: String
    /// The recommendations, by rank.
    public var recommendations: [Recommendation]
    /// Why the customer's decision failed, if it did.
    public var error: String?
    /// The candidates the run's volume allocation did not deliver, with why (asked for one customer of a run with
    /// constraints, or exported `--with-dropped`).
    public var dropped: [DroppedCandidate]?

    /// The document of a stored result.
    public init(_ result: CustomerResult) {
        customerId = result.customerId
        recommendations = result.recommendations
        error = result.error
        dropped = result.dropped
    }
}
