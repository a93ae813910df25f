import DecideStore

/// The allocation of a run whose candidates are held in memory (a dry run's sample), by the same rule and the same
/// ``VolumeAllocator`` the stores use: every (customer, candidate) pair of `commits` walked once by score
/// descending, customer id ascending (byte order) and rank ascending.
struct MemoryAllocation {
    /// The batches with only their accepted pairs, ranked 1..k per customer in candidate order.
    var commits: [RunBatchCommit]
    /// What the allocation did.
    var allocator: VolumeAllocator

    /// Allocates the candidates of `commits` (pass 1's batches, in order).
    init(
        _ commits: [RunBatchCommit], constraints: [VolumeConstraint], maxOffers: Int?, offerNames: [String: String]
    ) throws {
        struct Pair {
            let score: Double
            /// The customer's position in id order (batches come in id order).
            let customer: Int
            let rank: Int
            let batch: Int
            let position: Int
        }
        var pairs: [Pair] = []
        var customers = 0
        for (batch, commit) in commits.enumerated() {
            var position = 0
            for (customer, count) in commit.recommendationCounts.enumerated() {
                for rank in 0..<count {
                    pairs.append(Pair(
                        score: commit.scores[position] ?? 0, customer: customers + customer, rank: rank + 1,
                        batch: batch, position: position))
                    position += 1
                }
            }
            customers += commit.customerIds.count
        }
        pairs.sort { a, b in
            if a.score != b.score { return a.score > b.score }
            if a.customer != b.customer { return a.customer < b.customer }
            return a.rank < b.rank
        }
        var allocator = VolumeAllocator(constraints: constraints, maxOffers: maxOffers)
        var accepted = commits.map { [Bool](repeating: false, count: $0.offerIds.count) }
        for pair in pairs {
            let commit = commits[pair.batch]
            if allocator.decide(
                customer: pair.customer, offerId: commit.offerIds[pair.position], channel: commit.channels[pair.position]) == nil
            {
                accepted[pair.batch][pair.position] = true
            }
        }
        self.allocator = allocator
        self.commits = try commits.enumerated().map { batch, commit in
            var counts: [Int] = []
            var offers: [String] = [], channels: [String] = [], scores: [Double?] = []
            var position = 0
            for count in commit.recommendationCounts {
                var kept = 0
                for _ in 0..<count {
                    if accepted[batch][position] {
                        kept += 1
                        offers.append(commit.offerIds[position])
                        channels.append(commit.channels[position])
                        scores.append(commit.scores[position])
                    }
                    position += 1
                }
                counts.append(kept)
            }
            return try RunBatchCommit(
                runId: commit.runId, customerIds: commit.customerIds, recommendationCounts: counts, offerIds: offers,
                channels: channels, scores: scores, errors: commit.errors, offerNames: offerNames,
                stageCounts: commit.stageCounts, executionTimeMs: commit.executionTimeMs)
        }
    }
}
