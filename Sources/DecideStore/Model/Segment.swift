import Foundation

/// A saved segment: a named filter over the customers.
public struct Segment: Sendable, Hashable, Codable {
    /// The segment's unique name.
    public var name: String
    /// What the segment is for, in words.
    public var description: String
    /// The filter expression in the text form of the filter language; empty selects every customer.
    public var filter: String
    /// When the segment was created or last replaced.
    public var createdAt: Date

    /// The name of the segment that always exists and selects every customer.
    public static let allName = "all"

    /// Creates a segment.
    public init(name: String, description: String, filter: String, createdAt: Date) {
        self.name = name
        self.description = description
        self.filter = filter
        self.createdAt = createdAt
    }
}
