import DecideStore
import DecisionEngine
import Foundation

/// A simulated run: the whole pipeline over the audience (or an even, deterministic sample of it), with the
/// summary and breakdowns counted in memory and nothing stored.
public struct DryRun: Sendable {
    /// The store the audience is read from.
    public let store: any RunQueueStore

    /// A dry run over a store.
    public init(store: any RunQueueStore) {
        self.store = store
    }

    /// Simulates the planned run and returns the document it would have (id `dry-run`, status `completed`).
    ///
    /// - Parameter sample: Decide only this many customers, spread evenly over the audience in id order.
    public func simulate(
        _ plan: NewRun, sample: Int?, onProgress: @escaping @Sendable (RunProgressReport) -> Void = { _ in }
    ) async throws -> RunDocument {
        let flow = try JSONDecoder().decode(FlowSource.self, from: Data(plan.flowSnapshot.utf8))
        let description = try FlowWorker().describe(flow)
        let selection: SegmentSelection = plan.segment.map { .named($0) } ?? .expression(plan.filter ?? "")
        let cursor = try await store.customerBatches(selection, batchSize: plan.options.batchSize)
        let audience = cursor.count
        let wanted = min(sample ?? audience, audience)
        let keep: @Sendable (Int) -> Bool = { position in
            wanted == audience || (position + 1) * wanted / audience > position * wanted / audience
        }
        let started = Date()
        var estimator = ProgressEstimator()
        var customers = 0, withRecommendations = 0, recommendations = 0, errors = 0
        var offers: [String: Int] = [:]
        var channels: [String: Int] = [:]
        var firstError: DecisionError?
        let pipeline = BatchPipeline(
            flow: flow, description: description, options: plan.options, runId: "dry-run",
            decisionTime: Int64(started.timeIntervalSince1970))
        try await pipeline.run(cursor: cursor, after: nil, keep: keep) { outcome in
            let commit = outcome.commit
            customers += commit.customerIds.count
            withRecommendations += commit.recommendationCounts.count { $0 > 0 }
            recommendations += commit.offerIds.count
            errors += outcome.errors.count
            for count in commit.offerCounts { offers[count.offerId, default: 0] += count.count }
            for count in commit.channelCounts { channels[count.channel, default: 0] += count.count }
            onProgress(estimator.advance(by: commit.customerIds.count, processed: customers, total: wanted))
            if errors > plan.options.maxErrors, let error = outcome.errors.first {
                firstError = error
                return .stop
            }
            return .proceed
        }
        let names = Dictionary(description.offers.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let total = Double(max(1, recommendations))
        return RunDocument(
            id: "dry-run", name: plan.name, flow: plan.flowKey, flowVersion: plan.flowVersion, segment: plan.segment,
            filter: plan.filter, status: firstError == nil ? "completed" : "failed", partial: firstError != nil,
            progress: .init(processed: customers, total: wanted, percent: wanted == 0 ? 100 : 100 * Double(customers) / Double(wanted)),
            createdAt: started, startedAt: started, finishedAt: Date(),
            error: firstError.map { .init(message: $0.description, file: $0.file, line: $0.line, customerId: $0.customerId) },
            errorsRecorded: errors,
            summary: .init(
                totalCustomers: customers, customersWithRecommendations: withRecommendations,
                totalRecommendations: recommendations,
                averageOffersPerCustomer: customers == 0 ? 0 : Double(recommendations) / Double(customers),
                executionTimeMs: Int(Date().timeIntervalSince(started) * 1000)
            ),
            offerBreakdown: offers.map { .init(offerId: $0.key, name: names[$0.key] ?? $0.key, count: $0.value,
                                               percent: 100 * Double($0.value) / total) }
                .sorted { ($0.count, $1.offerId) > ($1.count, $0.offerId) },
            channelBreakdown: channels.map { .init(channel: $0.key, count: $0.value, percent: 100 * Double($0.value) / total) }
                .sorted { ($0.count, $1.channel) > ($1.count, $0.channel) }
        )
    }
}
