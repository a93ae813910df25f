import DecideStore
import DecisionEngine
import Foundation

/// An audience being stepped through before a run: its cursor, and what the customers decided so far add up to.
struct AudienceWalk {
    /// The saved segment, when the audience is one.
    var segment: String?
    /// The filter, when the audience is one.
    var filter: String?
    /// The customers of the audience, in id order.
    var cursor: any CustomerBatchCursor
    /// Customers read from the cursor and not decided yet.
    var pending: [Customer] = []
    /// The field names of the pending customers' batch.
    var fieldNames: [String] = []
    /// Customers decided.
    var decided = 0
    /// Customers with at least one recommendation.
    var withRecommendations = 0
    /// Recommendations made.
    var recommendations = 0
    /// Customers whose decision failed.
    var errors = 0
    /// Recommendations per offer id.
    var offers: [String: Int] = [:]
    /// Recommendations per channel.
    var channels: [String: Int] = [:]
    /// Seconds spent deciding.
    var seconds: Double = 0

    /// The audience's selection.
    var selection: SegmentSelection { segment.map { .named($0) } ?? .expression(filter ?? "") }

    /// How the audience reads in messages: `segment engaged` or `filter age >= 30`.
    var label: String { segment.map { "segment \($0)" } ?? "filter \(filter ?? "")" }

    /// The next `count` customers (fewer at the end), as one batch.
    mutating func take(_ count: Int) throws -> CustomerBatch {
        while pending.count < count {
            let (advanced, read) = try Blocking.wait { [cursor] in
                var cursor = cursor
                let batch = try await cursor.next()
                return (cursor, batch)
            }
            cursor = advanced
            guard let batch = read else { break }
            fieldNames = batch.fieldNames
            pending += batch.customers
        }
        let taken = Array(pending.prefix(count))
        pending.removeFirst(taken.count)
        return CustomerBatch(fieldNames: fieldNames, customers: taken)
    }

    /// Adds one batch's decisions to the tallies.
    mutating func add(_ decisions: BatchDecisions, offerIds: [String], seconds: Double) {
        self.seconds += seconds
        decided += decisions.count
        errors += decisions.errors.count
        var start = 0
        for end in decisions.ends {
            if end > start { withRecommendations += 1 }
            for position in start..<end {
                recommendations += 1
                offers[offerIds[Int(decisions.offerIndexes[position])], default: 0] += 1
                channels[decisions.channelNames[Int(decisions.channelIndexes[position])], default: 0] += 1
            }
            start = end
        }
    }
}
