import Foundation
import Testing

@testable import DecideStore

/// The allocation's sort and walk on their own: spilled to files and merged, they decide exactly as in memory.
@Suite("Allocation walk")
struct AllocationWalkTests {
    /// Random candidates (scores with ties) for `customers` customers, in key order.
    private func candidates(customers: Int, seed: UInt64) -> [(customer: String, rank: Int, offer: String, channel: String, score: Double)] {
        var random = SeededRandom(seed: seed)
        var rows: [(String, Int, String, String, Double)] = []
        for customer in 0..<customers {
            for rank in 1...Int(random.next() % 5 + 1) {
                rows.append((String(format: "C%05d", customer), rank, "o\(random.next() % 6)", random.next() % 2 == 0 ? "sms" : "email",
                             Double(random.next() % 50)))
            }
        }
        return rows
    }

    private func decisions(runLength: Int, rows: [(customer: String, rank: Int, offer: String, channel: String, score: Double)]) throws -> [String] {
        let walk = AllocationWalk(
            constraints: [
                VolumeConstraint(selector: .offer("o1"), max: 40), VolumeConstraint(selector: .channel("sms"), max: 120),
                VolumeConstraint(selector: .offers(["o2", "o3"]), max: 50), VolumeConstraint(selector: .total, max: 300),
            ],
            maxOffers: 2, runLength: runLength)
        for row in rows { try walk.add(customerId: row.customer, rank: row.rank, offerId: row.offer, channel: row.channel, score: row.score) }
        #expect(try walk.finish(checkEvery: 1000) { false } == false)
        var drops: [String] = []
        var next: Int? = 0
        while let start = next {
            next = walk.forEachDrop(from: start, limit: 17) { drops.append("\($0)#\($1):\($2)") }
        }
        return drops + walk.allocator.tallies.map { "\($0.used)/\($0.turnedAway)" }
    }

    @Test("sorted runs spilled to files and merged decide exactly as one sort in memory")
    func spilledRunsMatchMemory() throws {
        let rows = candidates(customers: 400, seed: 7)
        let inMemory = try decisions(runLength: 1_000_000, rows: rows)
        #expect(inMemory.count > 100)
        #expect(try decisions(runLength: 7, rows: rows) == inMemory)
        #expect(try decisions(runLength: 250, rows: rows) == inMemory)
    }

    @Test("a walk stopped by its check ends early")
    func stopsWhenAsked() throws {
        let walk = AllocationWalk(constraints: [VolumeConstraint(selector: .total, max: 5)], maxOffers: nil, runLength: 10)
        for row in candidates(customers: 50, seed: 3) {
            try walk.add(customerId: row.customer, rank: row.rank, offerId: row.offer, channel: row.channel, score: row.score)
        }
        #expect(try walk.finish(checkEvery: 20) { true })
        #expect(walk.allocator.walked == 20)
    }
}
