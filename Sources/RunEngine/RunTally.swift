import DecideStore
import DecisionEngine

/// What a run decided, counted batch by batch from the same commits a store adds up: the summary and every
/// breakdown a run document shows. A stored run's tally is kept by its store; a dry run and the REPL's walk through
/// an audience keep theirs here, so that all three documents are made the same way.
public struct RunTally: Sendable, Hashable {
    /// The totals.
    public private(set) var summary = RunSummary(
        totalCustomers: 0, customersWithRecommendations: 0, totalRecommendations: 0, executionTimeMs: 0, errorsRecorded: 0)
    private var offers: [String: OfferCount] = [:]
    private var channels: [String: Int] = [:]
    private var ranks: [Int: Int] = [:]
    private var stages: [Int: StageCount] = [:]

    /// An empty tally.
    public init() {}

    /// Adds one batch, as a store adds a committed one.
    public mutating func add(_ batch: RunBatchCommit) {
        summary.totalCustomers += batch.customerIds.count
        summary.customersWithRecommendations += batch.recommendationCounts.count { $0 > 0 }
        summary.totalRecommendations += batch.offerIds.count
        summary.errorsRecorded += batch.errors.count { $0 != nil }
        summary.executionTimeMs += batch.executionTimeMs
        for offer in batch.offerCounts {
            offers[offer.offerId, default: OfferCount(offerId: offer.offerId, name: offer.name, count: 0)].count += offer.count
        }
        for channel in batch.channelCounts { channels[channel.channel, default: 0] += channel.count }
        for rank in batch.rankCounts { ranks[rank.rank, default: 0] += rank.count }
        for stage in batch.stageCounts {
            var total = stages[stage.index] ?? StageCount(index: stage.index, name: stage.name, kind: stage.kind, received: 0, dropped: 0)
            total.received += stage.received
            total.dropped += stage.dropped
            stages[stage.index] = total
        }
    }

    /// Adds a step to the stage funnel (the allocation's `volume` step).
    public mutating func add(step: StageCount) {
        stages[step.index] = step
    }

    /// Adds the decisions of one batch (as the REPL makes them, outside a run), timed `milliseconds`.
    ///
    /// - Throws: `StoreError` when the decisions do not make a valid batch (they always do when the engine made them).
    public mutating func add(_ decisions: BatchDecisions, description: FlowDescription, milliseconds: Int) throws {
        let names = Dictionary(description.offers.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        add(try BatchPipeline.outcome(decisions, description: description, offerNames: names, runId: "", milliseconds: milliseconds).commit)
    }

    /// Sets the execution time (the wall time of the whole, when batches overlap).
    public mutating func setExecutionTime(milliseconds: Int) {
        summary.executionTimeMs = milliseconds
    }

    /// Offers by count (highest first), then id: the order the stores read them in.
    public var offerBreakdown: [OfferCount] {
        offers.values.sorted { ($0.count, $1.offerId) > ($1.count, $0.offerId) }
    }

    /// Channels by count (highest first), then name.
    public var channelBreakdown: [ChannelCount] {
        channels.map { ChannelCount(channel: $0.key, count: $0.value) }.sorted { ($0.count, $1.channel) > ($1.count, $0.channel) }
    }

    /// Recommendations by rank.
    public var rankBreakdown: [RankCount] {
        ranks.map { RankCount(rank: $0.key, count: $0.value) }.sorted { $0.rank < $1.rank }
    }

    /// The stage funnel in flow order.
    public var stageFunnel: [StageCount] {
        stages.values.sorted { $0.index < $1.index }
    }
}
