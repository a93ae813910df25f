import DecideStore
import DecisionEngine
import Foundation

/// Executes one claimed chunk of a run: its customers through the worker pool, each batch committed under the
/// claim; then finishes the chunk, or gives it back when told to stop, or drops it when the lease was lost.
struct ChunkRunner: Sendable {
    /// The run as it was when the runner was made (its flow snapshot and options never change).
    let record: RunRecord
    /// The batch pipeline for the run's flow.
    let pipeline: BatchPipeline
    /// The run's audience.
    let selection: SegmentSelection

    /// What one committed batch did, with the run's pulse after the commit (all workers' progress).
    struct BatchReport {
        let customers: Int
        let recommendations: Int
        let errors: Int
        let pulse: RunPulse
    }

    /// Runners by run id, so that a process working on many chunks of one run compiles its description once and
    /// keeps its decision threads (at most four runs' worth: each runner holds threads and Lua states).
    struct Cache {
        private var runners: [String: ChunkRunner] = [:]

        /// The runner for run `runId`, with `threads` decision threads (default: the run's own worker count).
        mutating func runner(for runId: String, store: any RunQueueStore, threads: Int? = nil) async throws -> ChunkRunner {
            if let runner = runners[runId] { return runner }
            let record = try await store.run(id: runId)
            let flow = try JSONDecoder().decode(FlowSource.self, from: Data(record.flowSnapshot.utf8))
            var options = record.options
            if let threads { options.workers = threads }
            let runner = ChunkRunner(
                record: record,
                pipeline: BatchPipeline(
                    flow: flow, description: try FlowWorker().describe(flow), options: options, runId: runId,
                    decisionTime: record.decidedAt, history: .init(store: store, window: record.historyWindow)),
                selection: record.segment.map { .named($0) } ?? .expression(record.filter ?? ""))
            if runners.count >= 4 { runners.removeAll() }
            runners[runId] = runner
            return runner
        }
    }

    /// Allocates the run's candidates under its volume constraints, holding the run's allocation chunk; returns
    /// the run as it is then (ended, or as it was when the lease was lost).
    private func allocate(_ claim: ChunkClaim, store: any RunQueueStore) async throws -> RunRecord {
        let description = pipeline.description
        let plan = AllocationPlan(
            maxOffers: description.maxOffers,
            offerNames: Dictionary(description.offers.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first }),
            funnelIndex: description.stages.count)
        do {
            return try await store.allocate(claim, plan: plan)
        } catch let error as StoreError where error.code == .leaseLost {
            return try await store.run(id: claim.runId)
        } catch let error as StoreError where error.code == .database {
            try? await store.releaseChunk(claim, error: nil)
            throw error
        }
    }

    /// Works on `claim` until the chunk is done, the run ends or fails or is cancelled, `stop` is raised or the task
    /// is cancelled (the chunk is given back after the batch being committed), or the lease is lost (nothing more
    /// is written). Returns the run as it is then.
    func work(
        _ claim: ChunkClaim, store: any RunQueueStore, stop: StopSignal, onBatch: (BatchReport) -> Void
    ) async throws -> RunRecord {
        let runId = claim.runId
        if claim.isAllocation { return try await allocate(claim, store: store) }
        let maxErrors = record.options.maxErrors
        enum Ending { case finished, released, lost, ended }
        var ending = Ending.finished
        do {
            let cursor = try await store.chunkBatches(claim, selection: selection, batchSize: record.options.batchSize)
            try await pipeline.run(cursor: cursor, after: nil) { outcome in
                var commit = outcome.commit
                commit.claim = claim
                do {
                    try await store.commitBatch(commit)
                } catch let error as StoreError where error.code == .leaseLost || error.code == .runNotRunning {
                    ending = error.code == .leaseLost ? .lost : .ended
                    return .stop
                }
                let pulse = try await store.pulse(runId: runId)
                onBatch(BatchReport(
                    customers: commit.customerIds.count, recommendations: commit.recommendationCounts.reduce(0, +),
                    errors: outcome.errors.count, pulse: pulse))
                if pulse.errorsRecorded > maxErrors, let first = outcome.errors.first {
                    _ = try await store.endRun(
                        id: runId, status: .failed, message: "failed", error: RunExecutor.failure(first, budget: maxErrors))
                    ending = .ended
                    return .stop
                }
                if pulse.status != .running {
                    ending = .ended
                    return .stop
                }
                if pulse.cancelRequested {
                    _ = try await store.endRun(id: runId, status: .cancelled, message: "cancelled on request", error: nil)
                    ending = .ended
                    return .stop
                }
                if stop.isRaised || Task.isCancelled {
                    ending = .released
                    return .stop
                }
                return .proceed
            }
        } catch let error as StoreError where error.code == .database {
            // The store failed, not the chunk: give it back uncounted and let the caller retry.
            try? await store.releaseChunk(claim, error: nil)
            throw error
        } catch {
            // The chunk could not be worked on here (the flow failed to load in this process): give it back with
            // the error, counted against the chunk's attempts. When even that fails, the store's error goes up, so
            // that the chunk is not left held by a process that no longer works on it.
            try await store.releaseChunk(claim, error: "\(error)")
            return try await store.run(id: runId)
        }
        switch ending {
        case .finished:
            do {
                return try await store.finishChunk(claim)
            } catch let error as StoreError where error.code == .leaseLost {
                return try await store.run(id: runId)
            }
        case .released, .ended:
            try await store.releaseChunk(claim, error: nil)
            return try await store.run(id: runId)
        case .lost:
            return try await store.run(id: runId)
        }
    }
}
