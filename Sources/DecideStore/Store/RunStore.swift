import Foundation
/// The store of runs: their lifecycle, their batch-by-batch results and the totals read back from them. Each
/// backend implements it; nothing backend-specific appears here.
///
/// A run is created `pending`, moved to `running` by the process that executes it, which commits its results one
/// batch at a time (each batch in one transaction, idempotently) and shows it is alive with heartbeats, then moved
/// to `completed`, `failed` or `cancelled`. Another process can ask for cancellation, and find runs whose process
/// stopped by their stale heartbeat to mark them interrupted, after which they can be resumed.
///
/// Methods throw `StoreError`: code `runNotFound` for an unknown run id, `illegalTransition` for a status change
/// the lifecycle forbids, `runNotRunning` for a batch committed to a run that is not running.
public protocol RunStore: Sendable {
    /// Creates a `pending` run.
    ///
    /// - Throws: `StoreError` with code `invalidArgument` unless exactly one of segment and filter is given and the
    ///   options are in range (at least one worker, a batch size of at least 1, an error budget of at least 0).
    func createRun(_ new: NewRun) async throws -> RunRecord

    /// The run with `id`.
    func run(id: String) async throws -> RunRecord

    /// One page of the runs, newest first.
    ///
    /// - Parameters:
    ///   - status: Only runs in this status, or every run when `nil`.
    /// - Returns: The page and how many runs there are in all (with that status).
    func runs(status: RunStatus?, limit: Int, offset: Int) async throws -> (runs: [RunRecord], total: Int)

    /// The run's status, cancellation request, progress and errors: what its workers read after every batch.
    func pulse(runId: String) async throws -> RunPulse

    /// Every status change of a run, oldest first, its creation included.
    func events(runId: String) async throws -> [RunEvent]

    /// Moves a run to `status`, checking that the move is legal in the same transaction, and records it.
    ///
    /// Starting sets `startedAt` (the first time) and the heartbeat; resuming an interrupted run clears its error;
    /// ending sets `finishedAt` and `partial`.
    ///
    /// - Parameters:
    ///   - message: Why, recorded with the event.
    ///   - error: Why the run failed; required when `status` is `failed`.
    /// - Throws: `StoreError` with code `illegalTransition` naming both statuses when the move is not allowed.
    @discardableResult
    func transition(runId: String, to status: RunStatus, message: String?, error: RunFailure?) async throws -> RunRecord

    /// Commits one batch in one transaction: its customers and recommendations, the counts added to the run's
    /// totals and breakdowns, the progress advanced to the batch's last customer, and a heartbeat.
    ///
    /// A batch whose customers were all committed before (its last id is not after the run's `lastCustomerId`) is
    /// ignored, so a resumed run can send it again without counting anyone twice.
    ///
    /// - Throws: `StoreError` with code `runNotRunning` when the run is not running, or `invalidArgument` when the
    ///   batch overlaps what was committed (it starts at or before `lastCustomerId` and ends after it).
    @discardableResult
    func commitBatch(_ batch: RunBatchCommit) async throws -> RunBatchOutcome

    /// Records that the run's process is alive.
    func heartbeat(runId: String) async throws

    /// Sets the run's progress (usually when it starts, with the size of its audience) and its heartbeat.
    func updateProgress(runId: String, processed: Int, total: Int) async throws

    /// The running runs whose heartbeat is older than `seconds`: their process has stopped.
    func interruptedRuns(olderThan seconds: Double) async throws -> [RunRecord]

    /// Moves every running run whose heartbeat is older than `seconds` to `failed`, interrupted (so resumable), with
    /// the error `RunFailure.interruptedMessage`, in one transaction.
    ///
    /// - Returns: The runs marked.
    @discardableResult
    func markInterrupted(olderThan seconds: Double) async throws -> [RunRecord]

    /// Moves the running run `runId` to `failed`, interrupted (so resumable), with the error
    /// `RunFailure.interruptedMessage`: what the process executing it does when it stops before the run ends (a
    /// server shutting down).
    ///
    /// - Throws: `StoreError` with code `illegalTransition` when the run is not running.
    @discardableResult
    func interrupt(runId: String) async throws -> RunRecord

    /// Asks the process executing the run to cancel it.
    func requestCancel(runId: String) async throws

    /// Whether cancellation was asked for; the executing process checks between batches.
    func isCancelRequested(runId: String) async throws -> Bool

    /// How many recommendations of each offer the run made, by count (highest first) then offer id.
    func offerBreakdown(runId: String) async throws -> [OfferCount]

    /// How many recommendations the run made on each channel, by count (highest first) then channel.
    func channelBreakdown(runId: String) async throws -> [ChannelCount]

    /// How many recommendations the run made at each rank, by rank.
    func rankBreakdown(runId: String) async throws -> [RankCount]

    /// What each flow stage did over the run, in flow order.
    func stageFunnel(runId: String) async throws -> [StageCount]

    /// The processes that committed customers of the run, most customers first.
    func participants(runId: String) async throws -> [RunParticipant]

    /// One page of the run's customer results, in customer id order.
    ///
    /// - Parameters:
    ///   - customerId: Only this customer.
    ///   - offerId: Only customers recommended this offer (with all their recommendations).
    ///   - channel: Only customers with a recommendation on this channel (with all their recommendations).
    /// - Returns: The page and how many customers match in all.
    func results(
        runId: String, customerId: String?, offerId: String?, channel: String?, failedOnly: Bool, limit: Int,
        offset: Int
    ) async throws -> (customers: [CustomerResult], total: Int)

    /// Calls `body` with every customer result of the run in id order, customers without recommendations and
    /// failed ones included, reading from one snapshot without holding them all in memory. With `withDropped`, each
    /// result of a run with volume constraints carries the candidates its allocation dropped.
    func exportResults(runId: String, withDropped: Bool, _ body: (CustomerResult) throws -> Void) async throws

    /// The candidates of `customerId` that the run's volume allocation dropped, in candidate order, with their
    /// reasons (none for a run without constraints).
    func droppedCandidates(runId: String, customerId: String) async throws -> [DroppedCandidate]

    /// Releases a completed run into the interaction history, exactly once: one `sent` interaction per
    /// recommendation (its customer, offer and channel; `at` the run's decision time; id `RUN:CUSTOMER:RANK`), and
    /// the run's `releasedAt`, in one transaction guarded by the run's own release state (two releases racing: one
    /// wins, the other is refused). Returns the run.
    ///
    /// - Throws: `StoreError` `runNotFound`, or `notReleasable` for a run not completed or released already.
    func releaseRun(id: String) async throws -> RunRecord

    /// Deletes the run with its events, results and breakdowns, and gives their space back.
    ///
    /// - Throws: `StoreError` `runNotFound`, or `runActive` for a pending or running run.
    func deleteRun(id: String) async throws

    /// Creates a run exactly as `archive` describes it (id, status, times, totals, history, breakdowns,
    /// participants), without results: what `decide store copy` writes into a new store.
    ///
    /// - Throws: `StoreError` `invalidArgument` when a run with that id exists.
    func restoreRun(_ archive: RunArchive) async throws

    /// Adds customer results to a run restored with ``restoreRun(_:)``, in customer id order.
    func restoreResults(runId: String, _ results: [CustomerResult]) async throws

    /// Deletes the finished runs (completed, failed, cancelled) created before `cutoff`, except the `keep` newest
    /// runs overall, or with `dryRun` only lists them. Returns their ids, oldest first.
    func pruneRuns(createdBefore cutoff: Date, keepingNewest keep: Int, dryRun: Bool) async throws -> [String]
}

extension RunStore {
    /// The results with the candidates the run's volume allocation dropped attached to each (a run with
    /// constraints; the results as they are otherwise). Meant for a few customers: one query each.
    public func attachingDropped(_ results: [CustomerResult], run: RunRecord) async throws -> [CustomerResult] {
        guard !run.options.constraints.isEmpty else { return results }
        var attached: [CustomerResult] = []
        for var result in results {
            result.dropped = try await droppedCandidates(runId: run.id, customerId: result.customerId)
            attached.append(result)
        }
        return attached
    }

    /// ``exportResults(runId:withDropped:_:)`` without the dropped candidates.
    public func exportResults(runId: String, _ body: (CustomerResult) throws -> Void) async throws {
        try await exportResults(runId: runId, withDropped: false, body)
    }

    /// ``results(runId:customerId:offerId:channel:failedOnly:limit:offset:)`` of every customer, failed or not.
    public func results(
        runId: String, customerId: String?, offerId: String?, channel: String?, limit: Int, offset: Int
    ) async throws -> (customers: [CustomerResult], total: Int) {
        try await results(
            runId: runId, customerId: customerId, offerId: offerId, channel: channel, failedOnly: false, limit: limit,
            offset: offset)
    }
}
