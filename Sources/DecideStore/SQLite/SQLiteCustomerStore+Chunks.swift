import Foundation
import GRDB
import ServiceLifecycle

/// Runs shared between worker processes: starting a run (its audience frozen and cut into chunks), claiming chunks
/// with a lease and a fencing token, finishing and releasing them, worker processes and their heartbeats.
extension SQLiteCustomerStore: RunQueueStore {
    /// Nothing: SQLite runs within the calls.
    public var services: [any Service] { [] }

    /// Sleeps: a SQLite file cannot tell other processes that work appeared, so workers poll.
    public func waitForWork(upTo timeout: Duration) async -> Bool {
        try? await Task.sleep(for: timeout)
        return false
    }

    public func startRun(id runId: String) throws -> RunRecord {
        try Self.translatingErrors {
            try pool.write { db in
                let record = try Self.runRecord(id: runId, in: db)
                try Self.start(record, in: db)
                return try Self.runRecord(id: runId, in: db)
            }
        }
    }

    public func registerWorker(_ worker: WorkerRegistration) throws {
        try Self.translatingErrors {
            try pool.write { db in
                let now = Date()
                try db.execute(
                    sql: """
                        INSERT INTO worker (id, name, host, pid, threads, run_id, started_at, heartbeat_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at
                        """,
                    arguments: [worker.id, worker.name, worker.host, worker.pid, worker.threads, worker.runId, now, now])
                try db.execute(
                    sql: "UPDATE run_chunk SET state = 'pending', worker_id = NULL, lease_until = NULL WHERE worker_id = ? AND state = 'claimed'",
                    arguments: [worker.id])
            }
        }
    }

    public func workerHeartbeat(workerId: String, lease: LeasePolicy) throws {
        try Self.translatingErrors {
            try pool.write { db in
                let now = Date()
                try db.execute(sql: "UPDATE worker SET heartbeat_at = ? WHERE id = ?", arguments: [now, workerId])
                try db.execute(
                    sql: "UPDATE run_chunk SET lease_until = ? WHERE worker_id = ? AND state = 'claimed'",
                    arguments: [now.addingTimeInterval(lease.seconds), workerId])
            }
        }
    }

    public func unregisterWorker(id workerId: String) throws {
        try Self.translatingErrors {
            try pool.write { db in
                try db.execute(
                    sql: "UPDATE run_chunk SET state = 'pending', worker_id = NULL, lease_until = NULL WHERE worker_id = ? AND state = 'claimed'",
                    arguments: [workerId])
                try db.execute(sql: "DELETE FROM worker WHERE id = ?", arguments: [workerId])
            }
        }
    }

    public func workers(lease: LeasePolicy) throws -> [WorkerProcess] {
        try Self.translatingErrors {
            try pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT w.name, w.host, w.pid, w.threads, w.started_at, w.heartbeat_at,
                            (SELECT r.id || '#' || c.chunk FROM run_chunk c JOIN run r ON r.seq = c.run_seq
                             WHERE c.worker_id = w.id AND c.state = 'claimed' LIMIT 1) AS chunk
                        FROM worker w WHERE w.heartbeat_at >= ? ORDER BY w.started_at, w.name
                        """,
                    arguments: [Date().addingTimeInterval(-lease.seconds)]
                ).map { row in
                    WorkerProcess(
                        name: row["name"], host: row["host"], pid: row["pid"], threads: row["threads"],
                        startedAt: row["started_at"], heartbeatAt: row["heartbeat_at"], chunk: row["chunk"])
                }
            }
        }
    }

    public func claimChunk(workerId: String, runId: String?, lease: LeasePolicy) throws -> ChunkClaim? {
        try Self.translatingErrors {
            try pool.write { db in
                let now = Date()
                // Forget workers gone for a long time (ten leases), so the table holds the live ones and recent ones.
                try db.execute(sql: "DELETE FROM worker WHERE heartbeat_at < ?", arguments: [now.addingTimeInterval(-10 * lease.seconds)])
                if let runId {
                    let record = try Self.runRecord(id: runId, in: db)
                    guard record.status == .running, !record.cancelRequested else { return nil }
                    return try Self.claim(run: try Self.runSeq(runId, in: db), runId: runId, workerId: workerId, lease: lease, now: now, in: db)
                }
                // Any run: the oldest running run with a claimable chunk, else the oldest pending run, started here.
                let candidates = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT r.seq, r.id FROM run r
                        WHERE r.status = 'running' AND r.cancel_requested = 0 AND EXISTS (
                            SELECT 1 FROM run_chunk c WHERE c.run_seq = r.seq
                              AND (c.state = 'pending' OR (c.state = 'claimed' AND c.lease_until < ?)))
                        ORDER BY r.seq LIMIT 8
                        """,
                    arguments: [now])
                for row in candidates {
                    if let claim = try Self.claim(run: row["seq"], runId: row["id"], workerId: workerId, lease: lease, now: now, in: db) {
                        return claim
                    }
                }
                guard let pending = try String.fetchOne(
                    db, sql: "SELECT id FROM run WHERE status = 'pending' AND cancel_requested = 0 ORDER BY seq LIMIT 1")
                else { return nil }
                try Self.start(try Self.runRecord(id: pending, in: db), in: db)
                return try Self.claim(run: try Self.runSeq(pending, in: db), runId: pending, workerId: workerId, lease: lease, now: now, in: db)
            }
        }
    }

    public func chunkBatches(_ claim: ChunkClaim, selection: SegmentSelection, batchSize: Int) throws -> any CustomerBatchCursor {
        guard batchSize > 0 else {
            throw StoreError(.invalidArgument, "the batch size must be at least 1, not \(batchSize)", value: String(batchSize))
        }
        return try Self.translatingErrors {
            let (query, run, count) = try pool.read { db in
                let run = try Self.runSeq(claim.runId, in: db)
                let query = try Self.query(selection, in: db)
                let count = try Int.fetchOne(
                    db,
                    sql: "SELECT count(*) FROM run_member WHERE run_seq = ? AND customer_id >= ? AND customer_id > ? AND customer_id <= ?",
                    arguments: [run, claim.firstCustomerId, claim.committedThrough ?? "", claim.lastCustomerId]) ?? 0
                return (query, run, count)
            }
            return SQLiteChunkCursor(
                pool: pool, query: query, run: run, from: claim.firstCustomerId, after: claim.committedThrough ?? "",
                through: claim.lastCustomerId, count: count, batchSize: batchSize)
        }
    }

    public func finishChunk(_ claim: ChunkClaim) throws -> RunRecord {
        try Self.translatingErrors {
            try pool.write { db in
                let run = try Self.checkClaim(claim, in: db)
                try db.execute(
                    sql: "UPDATE run_chunk SET state = 'done', worker_id = NULL, lease_until = NULL WHERE run_seq = ? AND chunk = ?",
                    arguments: [run, claim.chunk])
                try db.execute(sql: "UPDATE run SET heartbeat_at = ? WHERE seq = ?", arguments: [Date(), run])
                let record = try Self.runRecord(id: claim.runId, in: db)
                let open = try Int.fetchOne(db, sql: "SELECT count(*) FROM run_chunk WHERE run_seq = ? AND state <> 'done'", arguments: [run]) ?? 0
                guard open == 0, record.status == .running else { return record }
                try Self.endOrAllocate(record, status: .completed, message: "completed", error: nil, in: db)
                return try Self.runRecord(id: claim.runId, in: db)
            }
        }
    }

    public func releaseChunk(_ claim: ChunkClaim, error: String?) throws {
        try Self.translatingErrors {
            try pool.write { db in
                guard let run = try? Self.checkClaim(claim, in: db) else { return }
                try db.execute(
                    sql: """
                        UPDATE run_chunk SET state = 'pending', worker_id = NULL, lease_until = NULL,
                            abandoned = abandoned + ?, last_error = coalesce(?, last_error)
                        WHERE run_seq = ? AND chunk = ?
                        """,
                    arguments: [error == nil ? 0 : 1, error, run, claim.chunk])
            }
        }
    }

    public func participants(runId: String) throws -> [RunParticipant] {
        try Self.translatingErrors {
            try pool.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT name, host, customers FROM run_participant WHERE run_seq = ? ORDER BY customers DESC, name",
                    arguments: [try Self.runSeq(runId, in: db)]
                ).map { RunParticipant(name: $0["name"], host: $0["host"], customers: $0["customers"]) }
            }
        }
    }

    public func endRun(id runId: String, status: RunStatus, message: String, error: RunFailure?) throws -> RunRecord {
        try Self.translatingErrors {
            try pool.write { db in
                let record = try Self.runRecord(id: runId, in: db)
                guard record.status == .running else { return record }
                try Self.endOrAllocate(record, status: status, message: message, error: error, in: db)
                return try Self.runRecord(id: runId, in: db)
            }
        }
    }

    public func interruptIfAbandoned(runId: String, lease: LeasePolicy) throws -> RunRecord? {
        try Self.translatingErrors {
            try pool.write { db in
                guard try !Self.staleRuns(olderThan: 0, liveWithin: lease.seconds, runId: runId, in: db).isEmpty else { return nil }
                let failure = RunFailure(message: RunFailure.interruptedMessage)
                try Self.move(runId, to: .failed, message: failure.message, error: failure, interrupted: true, in: db)
                return try Self.runRecord(id: runId, in: db)
            }
        }
    }

    // MARK: - Inside a transaction

    /// Starts (or resumes, or joins) a run: a pending run's audience is frozen and cut into chunks; an interrupted
    /// run resumes with its chunks as they were (a run interrupted before chunks existed is frozen from after its
    /// last committed customer); a running run is left as it is.
    static func start(_ record: RunRecord, in db: Database) throws {
        let resuming = record.status == .failed && record.interrupted
        guard record.status == .pending || resuming else {
            if record.status == .running { return }
            throw StoreError(
                .illegalTransition, "run \(record.id) is \(record.status.rawValue); only a pending or interrupted run can start",
                value: record.id)
        }
        let run = try runSeq(record.id, in: db)
        let chunks = try Int.fetchOne(db, sql: "SELECT count(*) FROM run_chunk WHERE run_seq = ?", arguments: [run]) ?? 0
        if chunks == 0 {
            let selection: SegmentSelection = record.segment.map { .named($0) } ?? .expression(record.filter ?? "")
            let members = try query(selection, in: db).freeze(db, run: run, after: record.progress.lastCustomerId ?? "")
            try db.execute(
                sql: """
                    INSERT INTO run_chunk (run_seq, chunk, first_customer_id, last_customer_id, size)
                    SELECT ?1, number / ?2, min(customer_id), max(customer_id), count(*)
                    FROM (SELECT customer_id, row_number() OVER (ORDER BY customer_id) - 1 AS number
                          FROM run_member WHERE run_seq = ?1)
                    GROUP BY number / ?2
                    """,
                arguments: [run, record.options.chunkSize])
            try db.execute(
                sql: "UPDATE run SET total = ? WHERE seq = ?", arguments: [record.progress.processed + members, run])
        }
        try moveToRunning(record.id, message: resuming || record.progress.lastCustomerId != nil ? "resumed" : "started", in: db)
        if chunks == 0, try Int.fetchOne(db, sql: "SELECT count(*) FROM run_chunk WHERE run_seq = ?", arguments: [run]) == 0 {
            // Nobody to decide: the run is complete at once.
            try end(try runRecord(id: record.id, in: db), status: .completed, message: "completed", error: nil, in: db)
        }
    }

    /// Claims the first claimable chunk of run `run` (pending, or held under an expired lease) for `workerId`: a
    /// new token, the lease, one more abandonment when the lease had expired. A chunk abandoned `lease.attempts`
    /// times fails the run with its last error instead.
    private static func claim(
        run: Int64, runId: String, workerId: String, lease: LeasePolicy, now: Date, in db: Database
    ) throws -> ChunkClaim? {
        guard let row = try Row.fetchOne(
            db,
            sql: """
                SELECT chunk, state, token, abandoned, first_customer_id, last_customer_id, committed_through, last_error, kind
                FROM run_chunk WHERE run_seq = ? AND (state = 'pending' OR (state = 'claimed' AND lease_until < ?))
                ORDER BY chunk LIMIT 1
                """,
            arguments: [run, now])
        else { return nil }
        let chunk: Int = row["chunk"]
        let expired = (row["state"] as String) == "claimed"
        let abandoned = (row["abandoned"] as Int) + (expired ? 1 : 0)
        if abandoned >= lease.attempts {
            try db.execute(
                sql: "UPDATE run_chunk SET state = 'pending', worker_id = NULL, lease_until = NULL, abandoned = ? WHERE run_seq = ? AND chunk = ?",
                arguments: [abandoned, run, chunk])
            let failure = RunStoreRules.abandoned(chunk: chunk, runId: runId, times: abandoned, lastError: row["last_error"])
            try endOrAllocate(try runRecord(id: runId, in: db), status: .failed, message: "failed", error: failure, in: db)
            return nil
        }
        let token: Int64 = row["token"] + 1
        try db.execute(
            sql: """
                UPDATE run_chunk SET state = 'claimed', token = ?, worker_id = ?, lease_until = ?, abandoned = ?
                WHERE run_seq = ? AND chunk = ?
                """,
            arguments: [token, workerId, now.addingTimeInterval(lease.seconds), abandoned, run, chunk])
        try db.execute(sql: "UPDATE run SET heartbeat_at = ? WHERE seq = ?", arguments: [now, run])
        return ChunkClaim(
            runId: runId, chunk: chunk, token: token, workerId: workerId, firstCustomerId: row["first_customer_id"],
            lastCustomerId: row["last_customer_id"], committedThrough: row["committed_through"],
            isAllocation: (row["kind"] as String) == "allocation")
    }

    /// Checks that `claim` is still the chunk's current claim and returns the run's key.
    ///
    /// - Throws: `StoreError` `leaseLost` when another claim replaced it (or the chunk was finished or released).
    static func checkClaim(_ claim: ChunkClaim, in db: Database) throws -> Int64 {
        let run = try runSeq(claim.runId, in: db)
        let current = try Row.fetchOne(
            db, sql: "SELECT token, worker_id FROM run_chunk WHERE run_seq = ? AND chunk = ? AND state = 'claimed'",
            arguments: [run, claim.chunk])
        guard let current, current["token"] as Int64 == claim.token, current["worker_id"] as String? == claim.workerId else {
            throw RunStoreRules.leaseLost(claim)
        }
        return run
    }
}

/// Reads a claimed chunk's members batch by batch, each batch in its own read (attributes as they are when the
/// batch is read), with keyset pagination on the frozen ids.
struct SQLiteChunkCursor: CustomerBatchCursor {
    let count: Int
    private let pool: DatabasePool
    private let query: SQLiteCustomerQuery
    private let run: Int64
    private let first: String
    private let through: String
    private let batchSize: Int
    private var lastID: String
    private var finished = false

    init(
        pool: DatabasePool, query: SQLiteCustomerQuery, run: Int64, from first: String, after: String, through: String,
        count: Int, batchSize: Int
    ) {
        self.pool = pool
        self.first = first
        self.query = query
        self.run = run
        self.lastID = after
        self.through = through
        self.count = count
        self.batchSize = batchSize
    }

    mutating func next() throws -> CustomerBatch? {
        while !finished {
            let read = try SQLiteCustomerStore.translatingErrors {
                try pool.read { [query, run, first, lastID, through, batchSize] db in
                    try query.memberBatch(db, run: run, from: first, after: lastID, through: through, limit: batchSize)
                }
            }
            finished = read.members < batchSize
            if let last = read.lastMember { lastID = last }
            if !read.batch.customers.isEmpty { return read.batch }
        }
        return nil
    }
}
