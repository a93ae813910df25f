/// A saved segment with the number of customers it selects right now.
public struct CountedSegment: Sendable, Hashable, Codable {
    /// The segment.
    public var segment: Segment
    /// How many customers the segment selects.
    public var count: Int

    /// Creates a counted segment.
    public init(segment: Segment, count: Int) {
        self.segment = segment
        self.count = count
    }
}
