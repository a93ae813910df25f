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
    /// A run with volume constraints allocates the candidates of the customers decided, in memory, with every max
    /// scaled to the customers decided (`max × decided / audience`, rounded down).
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
        let decisionTime = plan.decidedAt ?? started
        var estimator = ProgressEstimator()
        var tally = RunTally()
        var batches: [RunBatchCommit] = []
        var (decided, errors) = (0, 0)
        var firstError: DecisionError?
        let pipeline = BatchPipeline(
            flow: flow, description: description, options: plan.options, runId: "dry-run", decisionTime: decisionTime,
            history: .init(store: store, window: HistoryWindow(before: decisionTime, storedThrough: started)))
        try await pipeline.run(cursor: cursor, after: nil, keep: keep) { outcome in
            batches.append(outcome.commit)
            decided += outcome.commit.customerIds.count
            errors += outcome.errors.count
            onProgress(estimator.advance(by: outcome.commit.customerIds.count, processed: decided, total: wanted))
            if errors > plan.options.maxErrors, let error = outcome.errors.first {
                firstError = error
                return .stop
            }
            return .proceed
        }
        var constraints: [RunDocument.Constraint] = []
        if plan.options.constraints.isEmpty {
            for batch in batches { tally.add(batch) }
        } else {
            let declared = plan.options.constraints
            let scaled = declared.map { constraint in
                var scaled = constraint
                scaled.max = audience == 0 ? 0 : Int((Double(constraint.max) * Double(decided) / Double(audience)).rounded(.down))
                return scaled
            }
            let allocation = try MemoryAllocation(
                batches, constraints: scaled, maxOffers: description.maxOffers,
                offerNames: Dictionary(description.offers.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first }))
            for batch in allocation.commits { tally.add(batch) }
            tally.add(step: allocation.allocator.funnelStep(index: description.stages.count))
            constraints = zip(declared, zip(scaled, allocation.allocator.tallies)).map { declared, pair in
                RunDocument.Constraint(pair.0, tally: pair.1, declaredMax: declared.max)
            }
        }
        tally.setExecutionTime(milliseconds: Int(Date().timeIntervalSince(started) * 1000))
        var document = RunDocument(
            unstored: "dry-run", name: plan.name, flow: plan.flowKey, flowVersion: plan.flowVersion, segment: plan.segment,
            filter: plan.filter, status: firstError == nil ? "completed" : "failed", audience: wanted, tally: tally,
            createdAt: started, finishedAt: Date(),
            error: firstError.map { .init(message: $0.description, file: $0.file, line: $0.line, customerId: $0.customerId) })
        document.constraints = constraints
        return document
    }
}
