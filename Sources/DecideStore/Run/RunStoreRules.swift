import Foundation

/// The checks and errors every run store applies the same way, whatever its database.
enum RunStoreRules {
    /// Throws `invalidArgument` for a negative page size or offset.
    static func checkPage(limit: Int, offset: Int) throws {
        guard limit >= 0, offset >= 0 else {
            throw StoreError(.invalidArgument, "a page needs a limit and an offset of at least 0, not \(limit) and \(offset)")
        }
    }

    /// The error for an unknown run id.
    static func runNotFound(_ id: String) -> StoreError {
        StoreError(.runNotFound, "no run has the id \"\(id)\"", value: id)
    }

    /// The error for a status change the lifecycle forbids.
    static func illegalTransition(_ current: RunRecord, to status: RunStatus) -> StoreError {
        let resumable = current.status == .failed && [.running, .pending].contains(status) ? " (only an interrupted run resumes)" : ""
        return StoreError(
            .illegalTransition, "run \(current.id) cannot go from \(current.status) to \(status)\(resumable)", value: current.id)
    }

    /// The error for a batch committed to a run that is not deciding: not running, or allocating already.
    static func notDeciding(_ runId: String, status: String) -> StoreError {
        StoreError(
            .runNotRunning,
            status == RunStatus.running.rawValue
                ? "run \(runId) is allocating its candidates: no more batches can be committed"
                : "run \(runId) is \(status), not running: its batches cannot be committed",
            value: runId)
    }

    /// Checks that `record` can be released into the interaction history: completed, and not released yet.
    ///
    /// - Throws: `StoreError` `notReleasable` saying why not.
    static func checkReleasable(_ record: RunRecord) throws {
        guard record.status == .completed else {
            throw StoreError(
                .notReleasable, "run \(record.id) is \(record.status.rawValue): only a completed run can be released",
                value: record.id)
        }
        if let released = record.releasedAt {
            throw StoreError(
                .notReleasable, "run \(record.id) was released already, at \(Interaction.text(of: released))", value: record.id)
        }
    }

    /// The pending end of a run with volume constraints that failed or was cancelled while deciding: the run
    /// allocates what it decided, then ends so.
    struct Ending: Codable {
        var status: RunStatus
        var message: String
        var error: RunFailure?
    }

    /// The error for a commit, finish or release under a claim that is no longer the chunk's current one.
    static func leaseLost(_ claim: ChunkClaim) -> StoreError {
        StoreError(
            .leaseLost,
            "chunk \(claim.chunk) of run \(claim.runId) is no longer held by this worker (its lease ran out and another worker took it over)",
            value: claim.runId)
    }

    /// The failure of a run whose chunk was abandoned too often.
    static func abandoned(chunk: Int, runId: String, times: Int, lastError: String?) -> RunFailure {
        RunFailure(
            message: "chunk \(chunk) of run \(runId) was abandoned by \(times) workers"
                + (lastError.map { " (last error: \($0))" } ?? " (each stopped without finishing it)"))
    }

    /// The error for deleting a run that is pending or running.
    static func active(_ record: RunRecord) -> StoreError {
        StoreError(
            .runActive, "run \(record.id) is \(record.status.rawValue): cancel it (or let it end) before deleting it", value: record.id)
    }
}

extension NewRun {
    /// Checks exactly one of segment and filter, and the options' ranges.
    func checkOptions() throws {
        guard (segment == nil) != (filter == nil) else {
            throw StoreError(.invalidArgument, "a run evaluates either a saved segment or a filter: give exactly one")
        }
        guard options.workers > 0, options.batchSize > 0, options.maxErrors >= 0,
            (1...RunOptions.maximumChunkSize).contains(options.chunkSize)
        else {
            throw StoreError(
                .invalidArgument,
                "invalid run options: \(options.workers) workers, batches of \(options.batchSize), \(options.maxErrors) errors allowed, chunks of \(options.chunkSize)")
        }
    }

    /// A new run id: `r-`, the time in milliseconds as 12 hex digits, then 8 random hex digits.
    static func makeID(at date: Date) -> String {
        let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        let time = String(milliseconds, radix: 16)
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "r-" + String(repeating: "0", count: max(0, 12 - time.count)) + time
            + String(repeating: "0", count: 8 - random.count) + random
    }
}

extension RunRecord {
    /// The SQL condition on `run_result` rows (as `alias`) that are recommendations: every row of a run without
    /// volume constraints; of a run with some, the rows its allocation did not drop, once it is done (none before).
    func deliveredCondition(alias: String) -> String {
        guard !options.constraints.isEmpty else { return "TRUE" }
        guard constraintTallies != nil else { return "FALSE" }
        return "NOT EXISTS (SELECT 1 FROM run_drop d WHERE d.run_seq = \(alias).run_seq AND d.customer_id = \(alias).customer_id "
            + "AND d.rank = \(alias).rank)"
    }

    /// Whether the run's results include dropped candidates to show: it has volume constraints and was allocated.
    var isAllocated: Bool { !options.constraints.isEmpty && constraintTallies != nil }
}
