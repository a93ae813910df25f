/// One offer recommended to one customer: its place, the offer, the channel to send it on, and its score.
public struct Recommendation: Sendable, Hashable, Codable {
    /// 1 for the first recommendation.
    public var rank: Int
    /// The offer's id.
    public var offerId: String
    /// The channel (`email`, `push`, `sms`, `in_app`, ...).
    public var channel: String
    /// The score the flow gave it, when a stage scored it.
    public var score: Double?

    /// Creates a recommendation.
    public init(rank: Int, offerId: String, channel: String, score: Double?) {
        self.rank = rank
        self.offerId = offerId
        self.channel = channel
        self.score = score
    }
}
