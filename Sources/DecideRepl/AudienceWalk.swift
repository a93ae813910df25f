import DecideStore
import DecisionEngine
import Foundation
import RunEngine

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
    /// What the customers decided so far add up to, as a run counts it.
    var tally = RunTally()

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
}
