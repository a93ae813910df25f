/// One batch of a run's results, in columns, ready to be committed in one transaction.
///
/// Customers are in strictly increasing id order (byte order of their UTF-8, as the store sorts them); the
/// recommendations are flat arrays, customer after customer in rank order, `recommendationCounts[i]` of them for
/// `customerIds[i]`. The offer, channel and rank counts are derived from the recommendations so that they always
/// agree with them.
///
/// ```swift
/// let batch = try RunBatchCommit(
///     runId: run.id, customerIds: ["c1", "c2"], recommendationCounts: [2, 0],
///     offerIds: ["gold", "loan"], channels: ["email", "sms"], scores: [0.9, nil], errors: [nil, nil],
///     offerNames: ["gold": "Gold card", "loan": "Personal loan"], stageCounts: [], executionTimeMs: 12)
/// try store.commitBatch(batch)
/// ```
public struct RunBatchCommit: Sendable, Hashable {
    /// The run the batch belongs to.
    public let runId: String
    /// The batch's customers, in increasing id order.
    public let customerIds: [String]
    /// How many recommendations each customer received.
    public let recommendationCounts: [Int]
    /// The recommended offers, customer after customer, in rank order.
    public let offerIds: [String]
    /// The channel of each recommendation.
    public let channels: [String]
    /// The score of each recommendation, if any.
    public let scores: [Double?]
    /// Why each customer's evaluation failed, `nil` when it did not.
    public let errors: [String?]
    /// How many recommendations of each offer the batch holds, with the offer's name.
    public let offerCounts: [OfferCount]
    /// How many recommendations the batch holds on each channel.
    public let channelCounts: [ChannelCount]
    /// How many recommendations the batch holds at each rank.
    public let rankCounts: [RankCount]
    /// What each flow stage did over the batch.
    public let stageCounts: [StageCount]
    /// Time spent evaluating the batch, in milliseconds.
    public let executionTimeMs: Int
    /// The chunk claim the batch is committed under, when the run is executed in chunks: the commit is refused
    /// unless the claim is still the chunk's current one, and is idempotent within the chunk.
    public var claim: ChunkClaim?
    /// Whether the recommendations are the customers' candidates for a run with volume constraints (pass 1): the
    /// store keeps them for the allocation (with their candidate ranks) and counts none of them as recommendations.
    public var candidates = false

    /// Creates a batch, checking that its columns agree, and counts its recommendations by offer, channel and rank.
    ///
    /// - Parameters:
    ///   - offerNames: The name of each offer by id; an offer missing from it is named by its id.
    ///   - stageCounts: What each flow stage did over the batch, added to the run's funnel.
    /// - Throws: `StoreError` with code `invalidArgument` when the columns' lengths disagree, a count or time is
    ///   negative, or the customers are not in strictly increasing id order.
    public init(
        runId: String, customerIds: [String], recommendationCounts: [Int], offerIds: [String], channels: [String],
        scores: [Double?], errors: [String?], offerNames: [String: String], stageCounts: [StageCount],
        executionTimeMs: Int
    ) throws {
        func invalid(_ message: String) -> StoreError {
            StoreError(.invalidArgument, "invalid batch for run \(runId): \(message)", value: runId)
        }
        guard recommendationCounts.count == customerIds.count, errors.count == customerIds.count else {
            throw invalid("\(customerIds.count) customers but \(recommendationCounts.count) recommendation counts and \(errors.count) errors")
        }
        guard recommendationCounts.allSatisfy({ $0 >= 0 }), executionTimeMs >= 0,
            stageCounts.allSatisfy({ $0.index >= 0 && $0.received >= 0 && $0.dropped >= 0 })
        else { throw invalid("a count, stage index or execution time is negative") }
        let recommendations = recommendationCounts.reduce(0, +)
        guard offerIds.count == recommendations, channels.count == recommendations, scores.count == recommendations else {
            throw invalid("\(recommendations) recommendations but \(offerIds.count) offers, \(channels.count) channels and \(scores.count) scores")
        }
        for index in customerIds.indices.dropFirst() where !customerIds[index - 1].utf8.lexicographicallyPrecedes(customerIds[index].utf8) {
            throw invalid("customer \"\(customerIds[index])\" follows \"\(customerIds[index - 1])\": ids must increase")
        }
        var offers: [String: Int] = [:]
        var channelTotals: [String: Int] = [:]
        var ranks: [Int] = []
        var position = 0
        for count in recommendationCounts {
            if count > ranks.count { ranks += Array(repeating: 0, count: count - ranks.count) }
            for rank in 0..<count {
                offers[offerIds[position], default: 0] += 1
                channelTotals[channels[position], default: 0] += 1
                ranks[rank] += 1
                position += 1
            }
        }
        self.runId = runId
        self.customerIds = customerIds
        self.recommendationCounts = recommendationCounts
        self.offerIds = offerIds
        self.channels = channels
        self.scores = scores
        self.errors = errors
        offerCounts = offers.map { OfferCount(offerId: $0.key, name: offerNames[$0.key] ?? $0.key, count: $0.value) }
            .sorted { $0.offerId < $1.offerId }
        channelCounts = channelTotals.map { ChannelCount(channel: $0.key, count: $0.value) }.sorted { $0.channel < $1.channel }
        rankCounts = ranks.enumerated().map { RankCount(rank: $0.offset + 1, count: $0.element) }
        self.stageCounts = stageCounts
        self.executionTimeMs = executionTimeMs
    }
}
