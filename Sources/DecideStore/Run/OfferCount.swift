/// How many recommendations of one offer a run made.
public struct OfferCount: Sendable, Hashable, Codable {
    /// The offer's id.
    public var offerId: String
    /// The offer's name.
    public var name: String
    /// How many recommendations.
    public var count: Int

    /// Creates an offer count.
    public init(offerId: String, name: String, count: Int) {
        self.offerId = offerId
        self.name = name
        self.count = count
    }
}
