/// One offer recommended to one customer: its place, the offer, the channel to send it on, and its score (what
/// a flow decides and what a run stores).
public struct Recommendation: Sendable, Hashable, Codable {
    /// The recommendation's rank among the customer's, from 1.
    public var rank: Int
    /// The offer recommended.
    public var offerId: String
    /// The channel to use.
    public var channel: String
    /// The score that ranked it, if the flow gave one.
    public var score: Double?

    /// Creates a recommendation.
    public init(rank: Int, offerId: String, channel: String, score: Double?) {
        self.rank = rank
        self.offerId = offerId
        self.channel = channel
        self.score = score
    }
}
