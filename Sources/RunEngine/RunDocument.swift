import DecideStore
import Foundation

/// The run document: what `decide runs show ID --json` prints and the REST API serves, camelCase.
public struct RunDocument: Sendable, Hashable, Codable {
    /// Progress while running (and as it ended).
    public struct Progress: Sendable, Hashable, Codable {
        /// Customers processed.
        public var processed: Int
        /// Customers in the audience.
        public var total: Int
        /// 100 × processed / total.
        public var percent: Double
        /// Seconds left at the recent rate, while running.
        public var etaSeconds: Double?

        /// Creates a progress.
        public init(processed: Int, total: Int, percent: Double, etaSeconds: Double? = nil) {
            self.processed = processed
            self.total = total
            self.percent = percent
            self.etaSeconds = etaSeconds
        }
    }

    /// The five summary statistics.
    public struct Summary: Sendable, Hashable, Codable {
        /// Customers that went through the flow.
        public var totalCustomers: Int
        /// Customers who received at least one offer.
        public var customersWithRecommendations: Int
        /// Offer–customer pairs produced.
        public var totalRecommendations: Int
        /// totalRecommendations / totalCustomers.
        public var averageOffersPerCustomer: Double
        /// Milliseconds from start to completion.
        public var executionTimeMs: Int

        /// Creates a summary.
        public init(
            totalCustomers: Int, customersWithRecommendations: Int, totalRecommendations: Int,
            averageOffersPerCustomer: Double, executionTimeMs: Int
        ) {
            self.totalCustomers = totalCustomers
            self.customersWithRecommendations = customersWithRecommendations
            self.totalRecommendations = totalRecommendations
            self.averageOffersPerCustomer = averageOffersPerCustomer
            self.executionTimeMs = executionTimeMs
        }
    }

    /// One offer's share of the recommendations.
    public struct OfferShare: Sendable, Hashable, Codable {
        /// The offer's id.
        public var offerId: String
        /// The offer's name.
        public var name: String
        /// How many times it was recommended.
        public var count: Int
        /// 100 × count / total recommendations, unrounded.
        public var percent: Double

        /// Creates an offer's share.
        public init(offerId: String, name: String, count: Int, percent: Double) {
            self.offerId = offerId
            self.name = name
            self.count = count
            self.percent = percent
        }
    }

    /// One channel's share of the recommendations.
    public struct ChannelShare: Sendable, Hashable, Codable {
        /// The channel.
        public var channel: String
        /// How many recommendations went on it.
        public var count: Int
        /// 100 × count / total recommendations, unrounded.
        public var percent: Double

        /// Creates a channel's share.
        public init(channel: String, count: Int, percent: Double) {
            self.channel = channel
            self.count = count
            self.percent = percent
        }
    }

    /// One volume constraint in force and what the allocation did with it.
    public struct Constraint: Sendable, Hashable, Codable {
        /// The constraint's name.
        public var name: String
        /// The one offer it counts, if so.
        public var offer: String?
        /// The offers it counts, if so.
        public var offers: [String]?
        /// The channel it counts, if so (none of offer, offers and channel: every recommendation).
        public var channel: String?
        /// How many matching recommendations the run may deliver (a dry run's, scaled to its sample).
        public var max: Int
        /// The max as declared, when a dry run scaled it.
        public var declaredMax: Int?
        /// Accepted recommendations that matched it.
        public var used: Int
        /// Pairs dropped because it was the first full constraint they matched.
        public var turnedAway: Int

        /// A constraint's entry.
        public init(_ constraint: VolumeConstraint, tally: ConstraintTally?, declaredMax: Int? = nil) {
            name = constraint.name
            switch constraint.selector {
            case .total: break
            case .offer(let id): offer = id
            case .offers(let ids): offers = ids
            case .channel(let name): channel = name
            }
            max = constraint.max
            self.declaredMax = declaredMax
            used = tally?.used ?? 0
            turnedAway = tally?.turnedAway ?? 0
        }
    }

    /// The run's error, when it failed.
    public struct Failure: Sendable, Hashable, Codable {
        /// The message.
        public var message: String
        /// The flow file.
        public var file: String?
        /// The line in it.
        public var line: Int?
        /// The customer it failed for.
        public var customerId: String?
    }

    /// The run's id.
    public var id: String
    /// The run's name.
    public var name: String
    /// The flow's key.
    public var flow: String
    /// The flow's content hash when the run was created.
    public var flowVersion: String
    /// The saved segment, when the run targets one.
    public var segment: String?
    /// The ad-hoc filter, when the run targets one.
    public var filter: String?
    /// pending, running, completed, failed or cancelled.
    public var status: String
    /// Whether the run ended before every customer was processed.
    public var partial: Bool
    /// Customers processed of the total.
    public var progress: Progress
    /// When the run was created.
    public var createdAt: Date
    /// When it started running.
    public var startedAt: Date?
    /// When it ended.
    public var finishedAt: Date?
    /// Why it failed.
    public var error: Failure?
    /// Customers whose decision failed, recorded within the error budget.
    public var errorsRecorded: Int
    /// The summary, once the run has started.
    public var summary: Summary?
    /// Each offer's count and share, by count descending.
    public var offerBreakdown: [OfferShare]
    /// Each channel's count and share, by count descending.
    public var channelBreakdown: [ChannelShare]
    /// Recommendations by rank position.
    public var rankBreakdown: [RankCount] = []
    /// Each stage's funnel over the run (candidates received and dropped), in flow order.
    public var stageFunnel: [StageCount] = []
    /// The sandbox limits the run's flow calls run under (the defaults filled in).
    public var limits: RunLimits?
    /// Whether the run's process stopped while it ran (it is `failed` and can be resumed).
    public var interrupted: Bool?
    /// Customers per chunk, the unit worker processes claim.
    public var chunkSize: Int?
    /// The processes that took part, with the customers each decided, most first.
    public var participants: [RunParticipant] = []
    /// The run-wide volume constraints in force, in the order the allocation checks them, with what it did.
    public var constraints: [Constraint] = []
    /// The run's decision time: what its flow saw as now (`--as-of`, or its creation time).
    public var decidedAt: Date?
    /// When its recommendations were released into the interaction history, if they were.
    public var releasedAt: Date?
    /// For a running run with volume constraints: `deciding` (customers through the flow) or `allocating` (at 100%,
    /// allocating their candidates).
    public var phase: String?

    /// The document of a run that is not stored (a dry run, the REPL's walk through an audience), from its tally.
    ///
    /// - Parameters:
    ///   - audience: The customers the run covers in all, for its progress.
    ///   - error: Why it failed, if it did.
    public init(
        unstored id: String, name: String, flow: String, flowVersion: String, segment: String?, filter: String?,
        status: String, audience: Int, tally: RunTally, createdAt: Date, finishedAt: Date?, error: Failure?
    ) {
        let processed = tally.summary.totalCustomers
        self.init(
            id: id, name: name, flow: flow, flowVersion: flowVersion, segment: segment, filter: filter, status: status,
            partial: processed < audience,
            progress: Progress(processed: processed, total: audience, percent: audience == 0 ? 100 : 100 * Double(processed) / Double(audience)),
            createdAt: createdAt, startedAt: createdAt, finishedAt: finishedAt, error: error, summary: tally.summary,
            offers: tally.offerBreakdown, channels: tally.channelBreakdown, ranks: tally.rankBreakdown, stages: tally.stageFunnel)
    }

    /// The document of a stored run, with its breakdowns read from the store; `etaSeconds` from the stored rate
    /// while running.
    public init(_ record: RunRecord, store: some RunStore) async throws {
        let total = record.progress.total ?? 0
        self.init(
            id: record.id, name: record.name, flow: record.flowKey, flowVersion: record.flowVersion, segment: record.segment,
            filter: record.filter, status: record.status.rawValue, partial: record.partial,
            progress: Progress(
                processed: record.progress.processed, total: total,
                percent: total == 0 ? (record.status == .completed ? 100 : 0) : 100 * Double(record.progress.processed) / Double(total),
                etaSeconds: Self.eta(record)),
            createdAt: record.createdAt, startedAt: record.startedAt, finishedAt: record.finishedAt,
            error: record.error.map { Failure(message: $0.message, file: $0.file, line: $0.line, customerId: $0.customerId) },
            summary: record.status == .pending ? nil : record.summary,
            offers: try await store.offerBreakdown(runId: record.id), channels: try await store.channelBreakdown(runId: record.id),
            ranks: try await store.rankBreakdown(runId: record.id), stages: try await store.stageFunnel(runId: record.id))
        errorsRecorded = record.summary.errorsRecorded
        limits = RunLimits(inForce: record.options.limits.sandbox)
        interrupted = record.interrupted
        chunkSize = record.options.chunkSize
        participants = try await store.participants(runId: record.id)
        constraints = record.options.constraints.enumerated().map { index, constraint in
            Constraint(constraint, tally: record.constraintTallies?[safe: index])
        }
        if record.status == .running { phase = record.phase?.rawValue }
        decidedAt = record.decidedAt
        releasedAt = record.releasedAt
        if record.phase == .allocating && record.status == .running { progress.percent = 100 }
    }

    /// The one way a document is made from totals and breakdowns, stored or not.
    private init(
        id: String, name: String, flow: String, flowVersion: String, segment: String?, filter: String?, status: String,
        partial: Bool, progress: Progress, createdAt: Date, startedAt: Date?, finishedAt: Date?, error: Failure?,
        summary: RunSummary?, offers: [OfferCount], channels: [ChannelCount], ranks: [RankCount], stages: [StageCount]
    ) {
        self.id = id
        self.name = name
        self.flow = flow
        self.flowVersion = flowVersion
        self.segment = segment
        self.filter = filter
        self.status = status
        self.partial = partial
        self.progress = progress
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.error = error
        errorsRecorded = summary?.errorsRecorded ?? 0
        self.summary = summary.map {
            Summary(
                totalCustomers: $0.totalCustomers, customersWithRecommendations: $0.customersWithRecommendations,
                totalRecommendations: $0.totalRecommendations,
                averageOffersPerCustomer: $0.totalCustomers == 0 ? 0 : Double($0.totalRecommendations) / Double($0.totalCustomers),
                executionTimeMs: $0.executionTimeMs)
        }
        let recommendations = Double(max(1, summary?.totalRecommendations ?? 0))
        offerBreakdown = offers.map {
            OfferShare(offerId: $0.offerId, name: $0.name, count: $0.count, percent: 100 * Double($0.count) / recommendations)
        }
        channelBreakdown = channels.map {
            ChannelShare(channel: $0.channel, count: $0.count, percent: 100 * Double($0.count) / recommendations)
        }
        rankBreakdown = ranks
        stageFunnel = stages
    }

    /// Time remaining, while it runs, at the rate of its running time so far (the execution time adds up the
    /// parts of a resumed run, so time it was down does not count).
    private static func eta(_ record: RunRecord) -> Double? {
        guard record.status == .running, let total = record.progress.total, record.progress.processed > 0,
            record.summary.executionTimeMs > 0
        else { return nil }
        let rate = Double(record.progress.processed) / (Double(record.summary.executionTimeMs) / 1000)
        return Double(total - record.progress.processed) / rate
    }
}

extension Array {
    /// The element at `index`, or `nil` past the end.
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
