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
        var tally = RunTally()
        var firstError: DecisionError?
        let pipeline = BatchPipeline(
            flow: flow, description: description, options: plan.options, runId: "dry-run",
            decisionTime: Int64(started.timeIntervalSince1970))
        try await pipeline.run(cursor: cursor, after: nil, keep: keep) { outcome in
            tally.add(outcome.commit)
            onProgress(estimator.advance(by: outcome.commit.customerIds.count, processed: tally.summary.totalCustomers, total: wanted))
            if tally.summary.errorsRecorded > plan.options.maxErrors, let error = outcome.errors.first {
                firstError = error
                return .stop
            }
            return .proceed
        }
        tally.setExecutionTime(milliseconds: Int(Date().timeIntervalSince(started) * 1000))
        return RunDocument(
            unstored: "dry-run", name: plan.name, flow: plan.flowKey, flowVersion: plan.flowVersion, segment: plan.segment,
            filter: plan.filter, status: firstError == nil ? "completed" : "failed", audience: wanted, tally: tally,
            createdAt: started, finishedAt: Date(),
            error: firstError.map { .init(message: $0.description, file: $0.file, line: $0.line, customerId: $0.customerId) })
    }
}
