import DecideStore
import Foundation

/// A segment as `--json` prints it, with its count and, for `segments show`, sample customers.
struct SegmentDocument: Encodable {
    let name: String
    let description: String
    let filter: String
    let createdAt: String
    let count: Int?
    let sample: [CustomerDocument]?

    /// The document for `segment`, with `count` and `sample` when known.
    init(_ segment: Segment, count: Int?, sample: CustomerBatch? = nil) {
        name = segment.name
        description = segment.description
        filter = segment.filter
        createdAt = ISO8601DateFormatter().string(from: segment.createdAt)
        self.count = count
        self.sample = sample.map(CustomerDocument.all)
    }
}
