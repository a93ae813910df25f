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

extension Segment {
    /// Checks that a segment may be saved under `name` with `description`, as every store does before writing.
    ///
    /// - Throws: `StoreError` `reservedSegment` for `all`, `invalidName` for a name that is empty, too long or has
    ///   characters other than letters, digits, `_`, `-` and `.`, `invalidArgument` for a description too long.
    public static func checkSaving(name: String, description: String) throws {
        guard name != allName else {
            throw StoreError(.reservedSegment, "the segment \"all\" always selects every customer and cannot be changed", value: name)
        }
        guard !name.isEmpty, name.count <= InputLimits.nameCharacters,
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) })
        else {
            throw StoreError(
                .invalidName,
                "invalid segment name \"\(name.prefix(60))\": use 1 to \(InputLimits.nameCharacters) letters, digits, \"_\", \"-\" and \".\"",
                value: String(name.prefix(60)))
        }
        guard description.count <= InputLimits.descriptionCharacters else {
            throw StoreError(
                .invalidArgument,
                "the description is \(description.count) characters long; at most \(InputLimits.descriptionCharacters)",
                value: String(description.prefix(60)))
        }
    }

    /// Checks that the segment `name` may be deleted: every one but `all`.
    public static func checkDeleting(name: String) throws {
        guard name != allName else {
            throw StoreError(.reservedSegment, "the segment \"all\" always exists and cannot be deleted", value: name)
        }
    }

    /// The error for saving over an existing segment without replacing it.
    public static func exists(_ name: String) -> StoreError {
        StoreError(.segmentExists, "a segment \"\(name)\" exists: use --replace to replace it", value: name)
    }

    /// The error for an unknown segment.
    public static func notFound(_ name: String) -> StoreError {
        StoreError(.segmentNotFound, "no segment is named \"\(name)\"", value: name)
    }
}
