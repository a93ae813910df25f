import Foundation
import GRDB

/// Runs: creation, listing, lifecycle, heartbeats and cancellation.
extension SQLiteCustomerStore: RunStore {
    public func createRun(_ new: NewRun) throws -> RunRecord {
        try new.checkOptions()
        let options = new.options
        return try Self.translatingErrors {
            try pool.write { db in
                let now = Date()
                let id = NewRun.makeID(at: now)
                try db.execute(
                    sql: """
                        INSERT INTO run (id, name, flow_key, flow_version, flow_snapshot, segment, filter, workers,
                            batch_size, seed, max_errors, created_at, memory_limit_mib, instruction_budget, deadline_seconds,
                            chunk_size, constraints, phase, decided_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        id, new.name, new.flowKey, new.flowVersion, new.flowSnapshot, new.segment, new.filter,
                        options.workers, options.batchSize, options.seed.map { Int64(bitPattern: $0) }, options.maxErrors, now,
                        options.limits.memoryLimitMiB, options.limits.instructionBudget, options.limits.deadlineSeconds,
                        options.chunkSize, try RunRecord.encodeJSON(options.constraints.isEmpty ? nil : options.constraints),
                        options.constraints.isEmpty ? nil : RunPhase.deciding.rawValue, new.decidedAt ?? now,
                    ])
                try Self.recordEvent(runId: id, status: .pending, at: now, message: nil, in: db)
                return try Self.runRecord(id: id, in: db)
            }
        }
    }

    public func run(id: String) throws -> RunRecord {
        try Self.translatingErrors {
            try pool.read { db in try Self.runRecord(id: id, in: db) }
        }
    }

    public func runs(status: RunStatus?, limit: Int, offset: Int) throws -> (runs: [RunRecord], total: Int) {
        try RunStoreRules.checkPage(limit: limit, offset: offset)
        return try Self.translatingErrors {
            try pool.read { db in
                let condition = status == nil ? "" : "WHERE status = ?"
                let arguments: StatementArguments = status.map { [$0.rawValue] } ?? []
                let runs = try Row.fetchAll(
                    db, sql: "SELECT \(RunRecord.sqliteColumns) FROM run \(condition) ORDER BY seq DESC LIMIT ? OFFSET ?",
                    arguments: arguments + [limit, offset]
                ).map(RunRecord.init(row:))
                let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM run \(condition)", arguments: arguments) ?? 0
                return (runs, total)
            }
        }
    }

    public func pulse(runId: String) throws -> RunPulse {
        try Self.translatingErrors {
            try pool.read { db in
                guard let row = try Row.fetchOne(
                    db, sql: "SELECT status, cancel_requested, processed, total, errors_recorded FROM run WHERE id = ?",
                    arguments: [runId])
                else { throw Self.runNotFound(runId) }
                guard let status = RunStatus(rawValue: row["status"]) else {
                    throw DatabaseError(message: "run \(runId) has an unknown status")
                }
                return RunPulse(
                    status: status, cancelRequested: row["cancel_requested"], processed: row["processed"], total: row["total"],
                    errorsRecorded: row["errors_recorded"])
            }
        }
    }

    public func events(runId: String) throws -> [RunEvent] {
        try Self.translatingErrors {
            try pool.read { db in
                let seq = try Self.runSeq(runId, in: db)
                return try Row.fetchAll(
                    db, sql: "SELECT status, at, message FROM run_event WHERE run_seq = ? ORDER BY seq", arguments: [seq]
                ).map { row in
                    let status: String = row["status"]
                    guard let runStatus = RunStatus(rawValue: status) else {
                        throw DatabaseError(message: "run \(runId) has an event with an unknown status \"\(status)\"")
                    }
                    return RunEvent(status: runStatus, at: row["at"], message: row["message"])
                }
            }
        }
    }

    @discardableResult
    public func transition(runId: String, to status: RunStatus, message: String?, error: RunFailure?) throws -> RunRecord {
        if status == .failed && error == nil {
            throw StoreError(.invalidArgument, "run \(runId) cannot fail without an error", value: runId)
        }
        return try Self.translatingErrors {
            try pool.write { db in
                let current = try Self.runRecord(id: runId, in: db)
                guard current.status.canMove(to: status, interrupted: current.interrupted) else {
                    throw RunStoreRules.illegalTransition(current, to: status)
                }
                try Self.move(runId, to: status, message: message, error: error, interrupted: false, in: db)
                return try Self.runRecord(id: runId, in: db)
            }
        }
    }

    public func heartbeat(runId: String) throws {
        try Self.translatingErrors {
            try pool.write { db in
                try db.execute(sql: "UPDATE run SET heartbeat_at = ? WHERE id = ?", arguments: [Date(), runId])
                if db.changesCount == 0 { throw Self.runNotFound(runId) }
            }
        }
    }

    public func updateProgress(runId: String, processed: Int, total: Int) throws {
        guard processed >= 0, total >= 0 else {
            throw StoreError(.invalidArgument, "invalid progress for run \(runId): \(processed) of \(total)", value: runId)
        }
        try Self.translatingErrors {
            try pool.write { db in
                try db.execute(
                    sql: "UPDATE run SET processed = ?, total = ?, heartbeat_at = ? WHERE id = ?",
                    arguments: [processed, total, Date(), runId])
                if db.changesCount == 0 { throw Self.runNotFound(runId) }
            }
        }
    }

    public func interruptedRuns(olderThan seconds: Double) throws -> [RunRecord] {
        try Self.translatingErrors {
            try pool.read { db in try Self.staleRuns(olderThan: seconds, in: db) }
        }
    }

    @discardableResult
    public func markInterrupted(olderThan seconds: Double) throws -> [RunRecord] {
        try Self.translatingErrors {
            try pool.write { db in
                try Self.staleRuns(olderThan: seconds, in: db).map { run in
                    let failure = RunFailure(message: RunFailure.interruptedMessage)
                    try Self.move(run.id, to: .failed, message: failure.message, error: failure, interrupted: true, in: db)
                    return try Self.runRecord(id: run.id, in: db)
                }
            }
        }
    }

    @discardableResult
    public func interrupt(runId: String) throws -> RunRecord {
        try Self.translatingErrors {
            try pool.write { db in
                let current = try Self.runRecord(id: runId, in: db)
                guard current.status == .running else {
                    throw StoreError(.illegalTransition, "run \(runId) is \(current.status), not running", value: runId)
                }
                let failure = RunFailure(message: RunFailure.interruptedMessage)
                try Self.move(runId, to: .failed, message: failure.message, error: failure, interrupted: true, in: db)
                return try Self.runRecord(id: runId, in: db)
            }
        }
    }

    public func requestCancel(runId: String) throws {
        try Self.translatingErrors {
            try pool.write { db in
                try db.execute(sql: "UPDATE run SET cancel_requested = 1 WHERE id = ?", arguments: [runId])
                if db.changesCount == 0 { throw Self.runNotFound(runId) }
            }
        }
    }

    public func isCancelRequested(runId: String) throws -> Bool {
        try Self.translatingErrors {
            try pool.read { db in
                guard let requested = try Bool.fetchOne(db, sql: "SELECT cancel_requested FROM run WHERE id = ?", arguments: [runId])
                else { throw Self.runNotFound(runId) }
                return requested
            }
        }
    }

    public func deleteRun(id: String) throws {
        try Self.translatingErrors {
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    let record = try Self.runRecord(id: id, in: db)
                    guard record.status != .running && record.status != .pending else { throw RunStoreRules.active(record) }
                    try db.execute(sql: "DELETE FROM run WHERE id = ?", arguments: [id])
                    return .commit
                }
                try db.execute(sql: "PRAGMA incremental_vacuum")
            }
        }
    }

    public func pruneRuns(createdBefore cutoff: Date, keepingNewest keep: Int, dryRun: Bool) throws -> [String] {
        guard keep >= 0 else { throw StoreError(.invalidArgument, "keep must be 0 or more, got \(keep)", value: String(keep)) }
        return try Self.translatingErrors {
            try pool.writeWithoutTransaction { db in
                var pruned: [String] = []
                try db.inTransaction(.immediate) {
                    pruned = try String.fetchAll(
                        db,
                        sql: """
                            SELECT id FROM run
                            WHERE status IN ('completed', 'failed', 'cancelled') AND created_at < ?
                              AND seq NOT IN (SELECT seq FROM run ORDER BY seq DESC LIMIT ?)
                            ORDER BY seq
                            """,
                        arguments: [cutoff, keep])
                    if !dryRun {
                        for id in pruned { try db.execute(sql: "DELETE FROM run WHERE id = ?", arguments: [id]) }
                    }
                    return .commit
                }
                if !dryRun && !pruned.isEmpty { try db.execute(sql: "PRAGMA incremental_vacuum") }
                return pruned
            }
        }
    }

    /// The run with `id`.
    static func runRecord(id: String, in db: Database) throws -> RunRecord {
        guard let row = try Row.fetchOne(db, sql: "SELECT \(RunRecord.sqliteColumns) FROM run WHERE id = ?", arguments: [id])
        else { throw runNotFound(id) }
        return try RunRecord(row: row)
    }

    /// The key of the run with `id` in the tables that refer to it.
    ///
    /// - Throws: `StoreError` with code `runNotFound` when no run has `id`.
    static func runSeq(_ id: String, in db: Database) throws -> Int64 {
        guard let seq = try Int64.fetchOne(db, sql: "SELECT seq FROM run WHERE id = ?", arguments: [id]) else {
            throw runNotFound(id)
        }
        return seq
    }

    static func runNotFound(_ id: String) -> StoreError {
        RunStoreRules.runNotFound(id)
    }

    /// Moves a run to `status`, already checked legal, and records the event. Starting (or resuming) sets the start
    /// time once, the heartbeat, and clears the error; queueing an interrupted run again (`pending`) clears its end
    /// and error; ending sets the end time, the error and whether it is partial.
    static func move(
        _ runId: String, to status: RunStatus, message: String?, error: RunFailure?, interrupted: Bool, in db: Database
    ) throws {
        let now = Date()
        if status == .running {
            try db.execute(
                sql: """
                    UPDATE run SET status = 'running', started_at = coalesce(started_at, ?), heartbeat_at = ?,
                        finished_at = NULL, error_message = NULL, error_file = NULL, error_line = NULL,
                        error_customer_id = NULL, interrupted = 0, partial = 0
                    WHERE id = ?
                    """,
                arguments: [now, now, runId])
        } else if status == .pending {
            try db.execute(
                sql: """
                    UPDATE run SET status = 'pending', finished_at = NULL, error_message = NULL, error_file = NULL,
                        error_line = NULL, error_customer_id = NULL, interrupted = 0, partial = 0
                    WHERE id = ?
                    """,
                arguments: [runId])
        } else {
            try db.execute(
                sql: """
                    UPDATE run SET status = ?, finished_at = ?, error_message = ?, error_file = ?, error_line = ?,
                        error_customer_id = ?, interrupted = ?, partial = (total IS NOT NULL AND total_customers < total)
                    WHERE id = ?
                    """,
                arguments: [
                    status.rawValue, now, error?.message, error?.file, error?.line,
                    error?.customerId, interrupted, runId,
                ])
        }
        if interrupted {
            // Its holders are gone: their chunks are claimable at once, each counted as abandoned.
            try db.execute(
                sql: """
                    UPDATE run_chunk SET state = 'pending', worker_id = NULL, lease_until = NULL, abandoned = abandoned + 1
                    WHERE run_seq = ? AND state = 'claimed'
                    """,
                arguments: [try runSeq(runId, in: db)])
        }
        if [.completed, .cancelled].contains(status) || (status == .failed && !interrupted) {
            // The frozen audience only served the chunks of a run that can still go on.
            try db.execute(sql: "DELETE FROM run_member WHERE run_seq = ?", arguments: [try runSeq(runId, in: db)])
        }
        try recordEvent(runId: runId, status: status, at: now, message: message, in: db)
    }

    /// Moves a run to `running`, already checked legal.
    static func moveToRunning(_ runId: String, message: String, in db: Database) throws {
        try move(runId, to: .running, message: message, error: nil, interrupted: false, in: db)
    }

    /// Ends a running run: `completed`, `failed` or `cancelled`, not interrupted.
    static func end(_ record: RunRecord, status: RunStatus, message: String, error: RunFailure?, in db: Database) throws {
        try move(record.id, to: status, message: message, error: error, interrupted: false, in: db)
    }

    private static func recordEvent(runId: String, status: RunStatus, at date: Date, message: String?, in db: Database) throws {
        let run = try runSeq(runId, in: db)
        try db.execute(
            sql: """
                INSERT INTO run_event (run_seq, seq, status, at, message)
                SELECT ?, coalesce(max(seq), 0) + 1, ?, ?, ? FROM run_event WHERE run_seq = ?
                """,
            arguments: [run, status.rawValue, date, message, run])
    }

    /// The running runs whose heartbeat (or start, without one) is older than `seconds` and that no live process
    /// can go on with: no process that heartbeat within `liveWithin` seconds (`seconds` unless given) works on any
    /// run or on this one (every holder of one of its chunks is such a process). Oldest first.
    static func staleRuns(
        olderThan seconds: Double, liveWithin: Double? = nil, runId: String? = nil, in db: Database
    ) throws -> [RunRecord] {
        let now = Date()
        return try Row.fetchAll(
            db,
            sql: """
                SELECT \(RunRecord.sqliteColumns) FROM run r
                WHERE status = 'running' AND coalesce(heartbeat_at, started_at, created_at) <= ? AND (? IS NULL OR id = ?)
                  AND NOT EXISTS (SELECT 1 FROM worker w WHERE w.heartbeat_at >= ? AND (w.run_id IS NULL OR w.run_id = r.id))
                ORDER BY seq
                """,
            arguments: [now.addingTimeInterval(-seconds), runId, runId, now.addingTimeInterval(-(liveWithin ?? seconds))]
        ).map(RunRecord.init(row:))
    }
}
