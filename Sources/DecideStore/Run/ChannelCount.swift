/// How many recommendations a run made on one channel.
public struct ChannelCount: Sendable, Hashable, Codable {
    /// The channel, such as `email`.
    public var channel: String
    /// How many recommendations.
    public var count: Int

    /// Creates a channel count.
    public init(channel: String, count: Int) {
        self.channel = channel
        self.count = count
    }
}
