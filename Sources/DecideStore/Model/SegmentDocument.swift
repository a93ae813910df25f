import Foundation

/// A segment as `--json` prints it and the API serves it, with its count and, for `segments show`, sample
/// customers.
public struct SegmentDocument: Sendable, Encodable {
    /// The segment's name.
    public let name: String
    /// What the segment is for.
    public let description: String
    /// The filter in its text form.
    public let filter: String
    /// When the segment was created or last replaced, ISO 8601.
    public let createdAt: String
    /// How many customers it selects now, when counted.
    public let count: Int?
    /// The first customers it selects, when asked for.
    public let sample: [CustomerDocument]?

    /// The document for `segment`, with `count` and `sample` when known.
    public init(_ segment: Segment, count: Int?, sample: CustomerBatch? = nil) {
        name = segment.name
        description = segment.description
        filter = segment.filter
        createdAt = ISO8601DateFormatter().string(from: segment.createdAt)
        self.count = count
        self.sample = sample.map(CustomerDocument.all)
    }
}
