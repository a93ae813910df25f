/// How many recommendations a run made at one rank (1 for each customer's first).
public struct RankCount: Sendable, Hashable, Codable {
    /// The rank, from 1.
    public var rank: Int
    /// How many recommendations.
    public var count: Int

    /// Creates a rank count.
    public init(rank: Int, count: Int) {
        self.rank = rank
        self.count = count
    }
}
