import DecideStore
import DecisionEngine
import Foundation

/// Executes a run: streams its audience through the worker pool, commits each batch's results, counters and
/// progress in one transaction from this one writer, honours the error budget and cancellation, and ends the run
/// `completed`, `failed` or `cancelled`. Resuming an interrupted run continues after its last committed batch.
public struct RunExecutor: Sendable {
    /// The store the run lives in.
    public let store: SQLiteCustomerStore

    /// An executor over a store.
    public init(store: SQLiteCustomerStore) {
        self.store = store
    }

    /// Executes the pending (or interrupted) run `runId` to its end.
    ///
    /// - Parameter onProgress: Called after each committed batch.
    /// - Returns: The run as it ended.
    /// - Throws: ``RunError`` when the run is neither pending nor interrupted; store errors. A flow failing for a
    ///   customer is not thrown: it ends the run `failed` (past the error budget).
    ///
    /// When the calling task is cancelled (a server shutting down), the run stops after the batch being committed and
    /// is left interrupted, so it can be resumed.
    @discardableResult
    public func execute(
        runId: String, onProgress: @escaping @Sendable (RunProgressReport) -> Void = { _ in }
    ) async throws -> RunRecord {
        let record = try store.run(id: runId)
        let resuming = record.status == .failed && record.interrupted
        guard record.status == .pending || resuming else {
            throw RunError(.wrongState, "run \(runId) is \(record.status.rawValue); only a pending or interrupted run can run")
        }
        let flow = try JSONDecoder().decode(FlowSource.self, from: Data(record.flowSnapshot.utf8))
        let description = try FlowWorker().describe(flow)
        let selection: SegmentSelection = record.segment.map { .named($0) } ?? .expression(record.filter ?? "")
        let cursor = try store.customerBatches(selection, batchSize: record.options.batchSize)
        let continuing = resuming || record.progress.lastCustomerId != nil
        try store.transition(runId: runId, to: .running, message: continuing ? "resumed" : "started", error: nil)
        let total = cursor.count
        try store.updateProgress(runId: runId, processed: record.progress.processed, total: total)
        var processed = record.progress.processed
        var errorsSeen = record.summary.errorsRecorded
        var estimator = ProgressEstimator(processed: record.progress.processed)
        var ending: (status: RunStatus, failure: RunFailure?, message: String) = (.completed, nil, "completed")
        var interrupted = false
        let pipeline = BatchPipeline(
            flow: flow, description: description, options: record.options, runId: runId,
            decisionTime: Int64(record.createdAt.timeIntervalSince1970))
        do {
            try await pipeline.run(cursor: cursor, after: record.progress.lastCustomerId) { outcome in
                try store.commitBatch(outcome.commit)
                processed += outcome.commit.customerIds.count
                errorsSeen += outcome.errors.count
                var report = estimator.advance(by: outcome.commit.customerIds.count, processed: processed, total: total)
                report.batchRecommendations = outcome.commit.recommendationCounts.reduce(0, +)
                report.batchErrors = outcome.errors.count
                onProgress(report)
                if errorsSeen > record.options.maxErrors, let first = outcome.errors.first {
                    ending = (.failed, Self.failure(first, budget: record.options.maxErrors), "failed")
                    return .stop
                }
                if Task.isCancelled {
                    interrupted = true
                    return .stop
                }
                if try store.isCancelRequested(runId: runId) {
                    ending = (.cancelled, nil, "cancelled on request")
                    return .stop
                }
                return .proceed
            }
        } catch {
            ending = (.failed, RunFailure(message: "\(error)"), "failed")
        }
        if interrupted { return try store.interrupt(runId: runId) }
        return try store.transition(runId: runId, to: ending.status, message: ending.message, error: ending.failure)
    }

    /// The run's error: the flow's message with its file, line and customer.
    static func failure(_ error: DecisionError, budget: Int) -> RunFailure {
        let over = budget > 0 ? " (more than the \(budget) failing customers --max-errors allows)" : ""
        return RunFailure(message: error.description + over, file: error.file, line: error.line, customerId: error.customerId)
    }
}
