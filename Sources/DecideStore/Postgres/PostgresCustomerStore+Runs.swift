import Foundation
import Logging
import PostgresNIO

/// Runs: creation, listing, lifecycle, heartbeats, cancellation, results and retention.
extension PostgresCustomerStore: RunStore {
    public func createRun(_ new: NewRun) async throws -> RunRecord {
        try new.checkOptions()
        return try await translatingErrors {
            try await transaction { connection in
                let now = Date()
                let id = NewRun.makeID(at: now)
                let options = new.options
                try await connection.send(
                    """
                    INSERT INTO run (id, name, flow_key, flow_version, flow_snapshot, segment, filter, workers, batch_size, seed,
                        max_errors, created_at, memory_limit_mib, instruction_budget, deadline_seconds, chunk_size, constraints,
                        phase, decided_at)
                    VALUES (\(id), \(new.name), \(new.flowKey), \(new.flowVersion), \(new.flowSnapshot), \(new.segment),
                        \(new.filter), \(options.workers), \(options.batchSize), \(options.seed.map { Int64(bitPattern: $0) }),
                        \(options.maxErrors), \(now), \(options.limits.memoryLimitMiB), \(options.limits.instructionBudget),
                        \(options.limits.deadlineSeconds), \(options.chunkSize),
                        \(try RunRecord.encodeJSON(options.constraints.isEmpty ? nil : options.constraints)),
                        \(options.constraints.isEmpty ? nil : RunPhase.deciding.rawValue), \(new.decidedAt ?? now))
                    """,
                    logger: logger)
                try await Self.recordEvent(runId: id, status: .pending, at: now, message: nil, connection, logger: logger)
                try await Self.notifyWork(connection, logger: logger)
                return try await Self.runRecord(id: id, connection, logger: logger)
            }
        }
    }

    public func run(id: String) async throws -> RunRecord {
        try await translatingErrors { try await client.withConnection { try await Self.runRecord(id: id, $0, logger: logger) } }
    }

    public func runs(status: RunStatus?, limit: Int, offset: Int) async throws -> (runs: [RunRecord], total: Int) {
        try RunStoreRules.checkPage(limit: limit, offset: offset)
        return try await translatingErrors {
            try await client.withConnection { connection in
                var sql = PostgresSQL("SELECT \(Self.runColumns) FROM run r")
                var count = PostgresSQL("SELECT count(*) FROM run")
                if let status {
                    sql.append(" WHERE r.status = \(sql.bind(.text(status.rawValue)))")
                    count.append(" WHERE status = \(count.bind(.text(status.rawValue)))")
                }
                sql.append(" ORDER BY r.seq DESC LIMIT \(sql.bind(.integer(Int64(limit)))) OFFSET \(sql.bind(.integer(Int64(offset))))")
                let runs = try await Self.records(connection.send(sql.query, logger: logger))
                var total = 0
                for try await value in try await connection.send(count.query, logger: logger).decode(Int64.self) { total = Int(value) }
                return (runs, total)
            }
        }
    }

    public func pulse(runId: String) async throws -> RunPulse {
        try await translatingErrors {
            let rows = try await client.rows(
                """
                SELECT r.status, r.cancel_requested, r.total, coalesce(sum(t.processed), 0)::BIGINT, coalesce(sum(t.errors), 0)::BIGINT
                FROM run r LEFT JOIN run_tally t ON t.run_seq = r.seq WHERE r.id = \(runId) GROUP BY r.seq
                """,
                logger: logger)
            for (status, cancel, total, processed, errors) in try rows.decode((String, Bool, Int64?, Int64, Int64).self) {
                guard let status = RunStatus(rawValue: status) else { break }
                return RunPulse(
                    status: status, cancelRequested: cancel, processed: Int(processed), total: total.map(Int.init),
                    errorsRecorded: Int(errors))
            }
            throw RunStoreRules.runNotFound(runId)
        }
    }

    public func events(runId: String) async throws -> [RunEvent] {
        try await translatingErrors {
            try await client.withConnection { connection in
                let run = try await Self.runSeq(runId, connection, logger: logger)
                var events: [RunEvent] = []
                let rows = try await connection.send(
                    "SELECT status, at, message FROM run_event WHERE run_seq = \(run) ORDER BY seq", logger: logger)
                for try await (status, at, message) in rows.decode((String, Date, String?).self) {
                    guard let status = RunStatus(rawValue: status) else { continue }
                    events.append(RunEvent(status: status, at: at, message: message))
                }
                return events
            }
        }
    }

    @discardableResult
    public func transition(runId: String, to status: RunStatus, message: String?, error: RunFailure?) async throws -> RunRecord {
        if status == .failed && error == nil {
            throw StoreError(.invalidArgument, "run \(runId) cannot fail without an error", value: runId)
        }
        return try await translatingErrors {
            try await transaction { connection in
                let current = try await Self.lockedRun(runId, connection, logger: logger)
                guard current.status.canMove(to: status, interrupted: current.interrupted) else {
                    throw RunStoreRules.illegalTransition(current, to: status)
                }
                try await Self.move(runId, to: status, message: message, error: error, interrupted: false, connection, logger: logger)
                if status == .pending || status == .running { try await Self.notifyWork(connection, logger: logger) }
                return try await Self.runRecord(id: runId, connection, logger: logger)
            }
        }
    }

    @discardableResult
    public func commitBatch(_ batch: RunBatchCommit) async throws -> RunBatchOutcome {
        try await translatingErrors {
            try await transaction { connection in
                try await PostgresRunBatchWriter(connection: connection, logger: logger).commit(batch)
            }
        }
    }

    public func heartbeat(runId: String) async throws {
        try await translatingErrors {
            let rows = try await client.rows("UPDATE run SET heartbeat_at = \(Date()) WHERE id = \(runId) RETURNING seq", logger: logger)
            if rows.isEmpty { throw RunStoreRules.runNotFound(runId) }
        }
    }

    public func updateProgress(runId: String, processed: Int, total: Int) async throws {
        guard processed >= 0, total >= 0 else {
            throw StoreError(.invalidArgument, "invalid progress for run \(runId): \(processed) of \(total)", value: runId)
        }
        try await translatingErrors {
            let rows = try await client.rows(
                "UPDATE run SET total = \(total), heartbeat_at = \(Date()) WHERE id = \(runId) RETURNING seq", logger: logger
            )
            if rows.isEmpty { throw RunStoreRules.runNotFound(runId) }
        }
    }

    public func interruptedRuns(olderThan seconds: Double) async throws -> [RunRecord] {
        try await translatingErrors {
            try await client.withConnection { try await Self.staleRuns(olderThan: seconds, runId: nil, $0, logger: logger) }
        }
    }

    @discardableResult
    public func markInterrupted(olderThan seconds: Double) async throws -> [RunRecord] {
        try await translatingErrors {
            try await transaction { connection in
                var marked: [RunRecord] = []
                for run in try await Self.staleRuns(olderThan: seconds, runId: nil, connection, logger: logger, locking: true) {
                    let failure = RunFailure(message: RunFailure.interruptedMessage)
                    try await Self.move(run.id, to: .failed, message: failure.message, error: failure, interrupted: true, connection, logger: logger)
                    marked.append(try await Self.runRecord(id: run.id, connection, logger: logger))
                }
                return marked
            }
        }
    }

    @discardableResult
    public func interrupt(runId: String) async throws -> RunRecord {
        try await translatingErrors {
            try await transaction { connection in
                let current = try await Self.lockedRun(runId, connection, logger: logger)
                guard current.status == .running else {
                    throw StoreError(.illegalTransition, "run \(runId) is \(current.status), not running", value: runId)
                }
                let failure = RunFailure(message: RunFailure.interruptedMessage)
                try await Self.move(runId, to: .failed, message: failure.message, error: failure, interrupted: true, connection, logger: logger)
                return try await Self.runRecord(id: runId, connection, logger: logger)
            }
        }
    }

    public func requestCancel(runId: String) async throws {
        try await translatingErrors {
            let rows = try await client.rows("UPDATE run SET cancel_requested = true WHERE id = \(runId) RETURNING seq", logger: logger)
            if rows.isEmpty { throw RunStoreRules.runNotFound(runId) }
        }
    }

    public func isCancelRequested(runId: String) async throws -> Bool {
        try await translatingErrors {
            for requested in try await client.rows("SELECT cancel_requested FROM run WHERE id = \(runId)", logger: logger).decode(Bool.self) {
                return requested
            }
            throw RunStoreRules.runNotFound(runId)
        }
    }

    public func offerBreakdown(runId: String) async throws -> [OfferCount] {
        try await breakdown(runId) { run in
            "SELECT offer_id, max(offer_name), sum(count)::BIGINT FROM run_offer_count WHERE run_seq = \(run) GROUP BY offer_id ORDER BY 3 DESC, offer_id"
        } decode: { rows in
            var counts: [OfferCount] = []
            for try await (offer, name, count) in rows.decode((String, String, Int64).self) {
                counts.append(OfferCount(offerId: offer, name: name, count: Int(count)))
            }
            return counts
        }
    }

    public func channelBreakdown(runId: String) async throws -> [ChannelCount] {
        try await breakdown(runId) { run in
            "SELECT channel, sum(count)::BIGINT FROM run_channel_count WHERE run_seq = \(run) GROUP BY channel ORDER BY 2 DESC, channel"
        } decode: { rows in
            var counts: [ChannelCount] = []
            for try await (channel, count) in rows.decode((String, Int64).self) { counts.append(ChannelCount(channel: channel, count: Int(count))) }
            return counts
        }
    }

    public func rankBreakdown(runId: String) async throws -> [RankCount] {
        try await breakdown(runId) { run in
            "SELECT rank, sum(count)::BIGINT FROM run_rank_count WHERE run_seq = \(run) GROUP BY rank ORDER BY rank"
        } decode: { rows in
            var counts: [RankCount] = []
            for try await (rank, count) in rows.decode((Int, Int64).self) { counts.append(RankCount(rank: rank, count: Int(count))) }
            return counts
        }
    }

    public func stageFunnel(runId: String) async throws -> [StageCount] {
        try await breakdown(runId) { run in
            """
            SELECT stage_index, max(stage_name), max(kind), sum(received)::BIGINT, sum(dropped)::BIGINT FROM run_stage_count
            WHERE run_seq = \(run) GROUP BY stage_index ORDER BY stage_index
            """
        } decode: { rows in
            var counts: [StageCount] = []
            for try await (index, name, kind, received, dropped) in rows.decode((Int, String, String, Int64, Int64).self) {
                counts.append(StageCount(index: index, name: name, kind: kind, received: Int(received), dropped: Int(dropped)))
            }
            return counts
        }
    }

    public func participants(runId: String) async throws -> [RunParticipant] {
        try await breakdown(runId) { run in
            "SELECT name, host, customers FROM run_participant WHERE run_seq = \(run) ORDER BY customers DESC, name"
        } decode: { rows in
            var participants: [RunParticipant] = []
            for try await (name, host, customers) in rows.decode((String, String, Int64).self) {
                participants.append(RunParticipant(name: name, host: host, customers: Int(customers)))
            }
            return participants
        }
    }

    public func results(
        runId: String, customerId: String?, offerId: String?, channel: String?, failedOnly: Bool, limit: Int, offset: Int
    ) async throws -> (customers: [CustomerResult], total: Int) {
        try RunStoreRules.checkPage(limit: limit, offset: offset)
        return try await translatingErrors {
            try await client.withConnection { connection in
                let run = try await Self.runSeq(runId, connection, logger: logger)
                let delivered = try await Self.runRecord(id: runId, connection, logger: logger).deliveredCondition(alias: "r")
                var sql = PostgresSQL()
                let runParameter = sql.bind(.integer(run))
                var selection: String
                if offerId != nil || channel != nil {
                    var conditions = ["r.run_seq = \(runParameter)", delivered]
                    if let offerId { conditions.append("r.offer_id = \(sql.bind(.text(offerId)))") }
                    if let channel { conditions.append("r.channel = \(sql.bind(.text(channel)))") }
                    if let customerId { conditions.append("r.customer_id = \(sql.bind(.text(customerId)))") }
                    if failedOnly {
                        conditions.append("EXISTS (SELECT 1 FROM run_customer c WHERE c.run_seq = r.run_seq AND c.customer_id = r.customer_id AND c.error IS NOT NULL)")
                    }
                    selection = "SELECT DISTINCT r.customer_id FROM run_result r WHERE " + conditions.joined(separator: " AND ")
                } else {
                    var conditions = ["c.run_seq = \(runParameter)"]
                    if let customerId { conditions.append("c.customer_id = \(sql.bind(.text(customerId)))") }
                    if failedOnly { conditions.append("c.error IS NOT NULL") }
                    selection = "SELECT c.customer_id FROM run_customer c WHERE " + conditions.joined(separator: " AND ")
                }
                var count = sql
                count.append("SELECT count(*) FROM (\(selection)) s")
                var total = 0
                for try await value in try await connection.send(count.query, logger: logger).decode(Int64.self) { total = Int(value) }
                sql.append("""
                    SELECT p.customer_id, c.error, r.rank, r.offer_id, r.channel, r.score, NULL::INTEGER
                    FROM (\(selection) ORDER BY 1 LIMIT \(sql.bind(.integer(Int64(limit)))) OFFSET \(sql.bind(.integer(Int64(offset))))) p
                    JOIN run_customer c ON c.run_seq = \(runParameter) AND c.customer_id = p.customer_id
                    LEFT JOIN run_result r ON r.run_seq = \(runParameter) AND r.customer_id = p.customer_id AND \(delivered)
                    ORDER BY p.customer_id, r.rank
                    """)
                var customers: [CustomerResult] = []
                try await Self.groupResults(connection.send(sql.query, logger: logger)) { customers.append($0) }
                return (customers, total)
            }
        }
    }

    public func exportResults(runId: String, withDropped: Bool, _ body: (CustomerResult) throws -> Void) async throws {
        try await translatingErrors {
            let record = try await run(id: runId)
            var run: Int64?
            for seq in try await client.rows("SELECT seq FROM run WHERE id = \(runId)", logger: logger).decode(Int64.self) {
                run = seq
            }
            guard let run else { throw RunStoreRules.runNotFound(runId) }
            let dropped = withDropped && record.isAllocated
            let query: PostgresQuery =
                dropped
                    ? """
                        SELECT c.customer_id, c.error, r.rank, r.offer_id, r.channel, r.score, d.reason
                        FROM run_customer c LEFT JOIN run_result r ON r.run_seq = c.run_seq AND r.customer_id = c.customer_id
                        LEFT JOIN run_drop d ON d.run_seq = r.run_seq AND d.customer_id = r.customer_id AND d.rank = r.rank
                        WHERE c.run_seq = \(run) ORDER BY c.customer_id, r.rank
                        """
                    : """
                        SELECT c.customer_id, c.error, r.rank, r.offer_id, r.channel, r.score, NULL::INTEGER
                        FROM run_customer c LEFT JOIN run_result r ON r.run_seq = c.run_seq AND r.customer_id = c.customer_id
                            AND \(unescaped: record.deliveredCondition(alias: "r"))
                        WHERE c.run_seq = \(run) ORDER BY c.customer_id, r.rank
                        """
            // Streamed straight from the pool (the rows are too many to collect), so not through `send`: only the
            // instant between the pool's lease and the write is exposed to a connection closing.
            let rows = try await client.query(query, logger: logger)
            try await Self.groupResults(rows, constraints: dropped ? record.options.constraints : nil, body)
        }
    }

    public func deleteRun(id: String) async throws {
        try await translatingErrors {
            try await transaction { connection in
                let record = try await Self.lockedRun(id, connection, logger: logger)
                guard record.status != .running && record.status != .pending else { throw RunStoreRules.active(record) }
                try await Self.deleteRuns([id], connection, logger: logger)
            }
        }
    }

    /// Deletes the runs `ids` and everything of theirs: the rows of the tables without a foreign key first, then the
    /// runs (the others follow by cascade).
    static func deleteRuns(_ ids: [String], _ connection: PostgresConnection, logger: Logger) async throws {
        for table in PostgresMigrations.bulkRunTables {
            var sql = PostgresSQL("DELETE FROM \(table) WHERE run_seq IN (SELECT seq FROM run WHERE id = ANY(")
            sql.append(sql.bind(ids) + "))")
            try await connection.send(sql.query, logger: logger)
        }
        try await connection.send("DELETE FROM run WHERE id = ANY(\(ids))", logger: logger)
    }

    public func pruneRuns(createdBefore cutoff: Date, keepingNewest keep: Int, dryRun: Bool) async throws -> [String] {
        guard keep >= 0 else { throw StoreError(.invalidArgument, "keep must be 0 or more, got \(keep)", value: String(keep)) }
        return try await translatingErrors {
            try await transaction { connection in
                var pruned: [String] = []
                let rows = try await connection.send(
                    """
                    SELECT id FROM run
                    WHERE status IN ('completed', 'failed', 'cancelled') AND created_at < \(cutoff)
                      AND seq NOT IN (SELECT seq FROM run ORDER BY seq DESC LIMIT \(keep))
                    ORDER BY seq
                    """,
                    logger: logger)
                for try await id in rows.decode(String.self) { pruned.append(id) }
                if !dryRun && !pruned.isEmpty {
                    try await Self.deleteRuns(pruned, connection, logger: logger)
                }
                return pruned
            }
        }
    }

    /// A breakdown query whose one parameter is the run's key.
    private func breakdown<T: Sendable>(
        _ runId: String, _ query: (Int64) -> PostgresQuery, decode: (PostgresRowSequence) async throws -> T
    ) async throws -> T {
        try await translatingErrors {
            try await client.withConnection { connection in
                let run = try await Self.runSeq(runId, connection, logger: logger)
                return try await decode(try await connection.send(query(run), logger: logger))
            }
        }
    }

    // MARK: - On a connection

    /// The columns `records` reads, over `run r`: the run's own columns, then its tallies summed (customers,
    /// with recommendations, recommendations, errors, the last customer of commits without a chunk) and its
    /// execution time: the wall time while running, i.e. the length of the union of its chunk claims' active
    /// intervals (from a claim's first batch's start to its last commit), plus the batch times of commits without
    /// a chunk (one writer).
    static let runColumns = """
        r.id, r.name, r.flow_key, r.flow_version, r.flow_snapshot, r.segment, r.filter, r.workers, r.batch_size, r.seed,
        r.max_errors, r.status, r.created_at, r.started_at, r.finished_at, r.error_message, r.error_file, r.error_line,
        r.error_customer_id, r.interrupted, r.partial, r.cancel_requested, r.total, r.heartbeat_at, r.memory_limit_mib,
        r.instruction_budget, r.deadline_seconds, r.chunk_size,
        (SELECT coalesce(sum(processed), 0)::BIGINT FROM run_tally t WHERE t.run_seq = r.seq),
        (SELECT coalesce(sum(with_recommendations), 0)::BIGINT FROM run_tally t WHERE t.run_seq = r.seq),
        (SELECT coalesce(sum(recommendations), 0)::BIGINT FROM run_tally t WHERE t.run_seq = r.seq),
        (SELECT coalesce(sum(errors), 0)::BIGINT FROM run_tally t WHERE t.run_seq = r.seq),
        (SELECT last_customer_id FROM run_tally t WHERE t.run_seq = r.seq AND t.chunk = -1 ORDER BY last_at DESC LIMIT 1),
        (SELECT coalesce(sum(execution_ms), 0)::BIGINT FROM run_tally t WHERE t.run_seq = r.seq AND t.chunk = -1)
        + (SELECT coalesce(sum(extract(epoch FROM (e - s)) * 1000), 0)::BIGINT FROM (
            SELECT min(s) AS s, max(e) AS e FROM (
                SELECT s, e, sum(starts) OVER (ORDER BY s, e) AS island FROM (
                    SELECT first_at AS s, last_at AS e,
                        CASE WHEN first_at <= max(last_at) OVER (ORDER BY first_at, last_at ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                        THEN 0 ELSE 1 END AS starts
                    FROM run_tally t WHERE t.run_seq = r.seq AND t.chunk >= 0) a) b
            GROUP BY island) c),
        r.constraints, r.phase, r.constraint_tallies, r.decided_at, r.released_at
        """

    /// The runs of rows of `runColumns`.
    static func records(_ rows: PostgresRowSequence) async throws -> [RunRecord] {
        var records: [RunRecord] = []
        for try await row in rows {
            let cells = row.makeRandomAccess()
            func get<T: PostgresDecodable>(_ index: Int, _ type: T.Type) throws -> T { try cells[index].decode(T.self) }
            let status = try get(11, String.self)
            guard let runStatus = RunStatus(rawValue: status) else { continue }
            let errorMessage = try get(15, String?.self)
            let processed = Int(try get(28, Int64.self))
            records.append(RunRecord(
                id: try get(0, String.self), name: try get(1, String.self), flowKey: try get(2, String.self),
                flowVersion: try get(3, String.self), flowSnapshot: try get(4, String.self), segment: try get(5, String?.self),
                filter: try get(6, String?.self),
                options: RunOptions(
                    workers: try get(7, Int.self), batchSize: try get(8, Int.self),
                    seed: try get(9, Int64?.self).map { UInt64(bitPattern: $0) }, maxErrors: Int(try get(10, Int64.self)),
                    limits: RunLimits(
                        memoryLimitMiB: try get(24, Int?.self), instructionBudget: try get(25, Int64?.self).map(Int.init),
                        deadlineSeconds: try get(26, Double?.self)),
                    chunkSize: try get(27, Int.self),
                    constraints: try RunRecord.decodeJSON([VolumeConstraint].self, try get(34, String?.self)) ?? []),
                status: runStatus, createdAt: try get(12, Date.self), startedAt: try get(13, Date?.self),
                finishedAt: try get(14, Date?.self),
                error: try errorMessage.map {
                    RunFailure(message: $0, file: try get(16, String?.self), line: try get(17, Int?.self), customerId: try get(18, String?.self))
                },
                interrupted: try get(19, Bool.self), partial: try get(20, Bool.self), cancelRequested: try get(21, Bool.self),
                progress: RunProgress(processed: processed, total: try get(22, Int64?.self).map(Int.init), lastCustomerId: try get(32, String?.self)),
                heartbeatAt: try get(23, Date?.self),
                summary: RunSummary(
                    totalCustomers: processed, customersWithRecommendations: Int(try get(29, Int64.self)),
                    totalRecommendations: Int(try get(30, Int64.self)), executionTimeMs: Int(try get(33, Int64.self)),
                    errorsRecorded: Int(try get(31, Int64.self))),
                phase: try get(35, String?.self).flatMap(RunPhase.init(rawValue:)),
                constraintTallies: try RunRecord.decodeJSON([ConstraintTally].self, try get(36, String?.self)),
                decidedAt: try get(37, Date?.self), releasedAt: try get(38, Date?.self)))
        }
        return records
    }

    /// The run with `id`.
    static func runRecord(id: String, _ connection: PostgresConnection, logger: Logger) async throws -> RunRecord {
        var sql = PostgresSQL("SELECT \(runColumns) FROM run r WHERE r.id = ")
        sql.append(sql.bind(.text(id)))
        guard let record = try await records(connection.send(sql.query, logger: logger)).first else { throw RunStoreRules.runNotFound(id) }
        return record
    }

    /// The run with `id`, its row locked until the transaction ends.
    static func lockedRun(_ id: String, _ connection: PostgresConnection, logger: Logger) async throws -> RunRecord {
        let locked = try await connection.send("SELECT seq FROM run WHERE id = \(id) FOR UPDATE", logger: logger).collect()
        guard !locked.isEmpty else { throw RunStoreRules.runNotFound(id) }
        return try await runRecord(id: id, connection, logger: logger)
    }

    /// The key of the run with `id`.
    static func runSeq(_ id: String, _ connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        for try await seq in try await connection.send("SELECT seq FROM run WHERE id = \(id)", logger: logger).decode(Int64.self) {
            return seq
        }
        throw RunStoreRules.runNotFound(id)
    }

    /// Moves a run to `status`, already checked legal, and records the event (as the SQLite store does).
    static func move(
        _ runId: String, to status: RunStatus, message: String?, error: RunFailure?, interrupted: Bool,
        _ connection: PostgresConnection, logger: Logger
    ) async throws {
        let now = Date()
        switch status {
        case .running:
            try await connection.send(
                """
                UPDATE run SET status = 'running', started_at = coalesce(started_at, \(now)), heartbeat_at = \(now),
                    finished_at = NULL, error_message = NULL, error_file = NULL, error_line = NULL,
                    error_customer_id = NULL, interrupted = false, partial = false
                WHERE id = \(runId)
                """,
                logger: logger)
        case .pending:
            try await connection.send(
                """
                UPDATE run SET status = 'pending', finished_at = NULL, error_message = NULL, error_file = NULL,
                    error_line = NULL, error_customer_id = NULL, interrupted = false, partial = false
                WHERE id = \(runId)
                """,
                logger: logger)
        default:
            try await connection.send(
                """
                UPDATE run SET status = \(status.rawValue), finished_at = \(now), error_message = \(error?.message),
                    error_file = \(error?.file), error_line = \(error?.line), error_customer_id = \(error?.customerId),
                    interrupted = \(interrupted),
                    partial = (total IS NOT NULL AND (SELECT coalesce(sum(processed), 0) FROM run_tally WHERE run_seq = run.seq) < total)
                WHERE id = \(runId)
                """,
                logger: logger)
        }
        let run = try await runSeq(runId, connection, logger: logger)
        if interrupted {
            try await connection.send(
                """
                UPDATE run_chunk SET state = 'pending', worker_id = NULL, lease_until = NULL, abandoned = abandoned + 1
                WHERE run_seq = \(run) AND state = 'claimed'
                """,
                logger: logger)
        }
        if [.completed, .cancelled].contains(status) || (status == .failed && !interrupted) {
            try await connection.send("DELETE FROM run_member WHERE run_seq = \(run)", logger: logger)
        }
        try await recordEvent(runId: runId, status: status, at: now, message: message, connection, logger: logger)
    }

    static func recordEvent(
        runId: String, status: RunStatus, at date: Date, message: String?, _ connection: PostgresConnection, logger: Logger
    ) async throws {
        let run = try await runSeq(runId, connection, logger: logger)
        try await connection.send(
            """
            INSERT INTO run_event (run_seq, seq, status, at, message)
            SELECT \(run), coalesce(max(seq), 0) + 1, \(status.rawValue), \(date), \(message) FROM run_event WHERE run_seq = \(run)
            """,
            logger: logger)
    }

    /// The running runs no live process can go on with (as the SQLite store defines it, with `liveWithin`).
    static func staleRuns(
        olderThan seconds: Double, liveWithin: Double? = nil, runId: String?, _ connection: PostgresConnection, logger: Logger,
        locking: Bool = false
    ) async throws -> [RunRecord] {
        let now = Date()
        var sql = PostgresSQL("SELECT \(runColumns) FROM run r WHERE r.status = 'running' AND coalesce(r.heartbeat_at, r.started_at, r.created_at) <= ")
        sql.append(sql.bind(now.addingTimeInterval(-seconds)))
        if let runId { sql.append(" AND r.id = \(sql.bind(.text(runId)))") }
        let live = now.addingTimeInterval(-(liveWithin ?? seconds))
        sql.append(" AND NOT EXISTS (SELECT 1 FROM worker w WHERE w.heartbeat_at >= \(sql.bind(live)) AND (w.run_id IS NULL OR w.run_id = r.id))")
        sql.append(" ORDER BY r.seq")
        if locking { sql.append(" FOR UPDATE OF r SKIP LOCKED") }
        return try await records(connection.send(sql.query, logger: logger))
    }

    /// Rows of (customer id, error, rank, offer id, channel, score) in customer then rank order as results.
    /// Rows of (customer id, error, rank, offer id, channel, score, drop reason) as one result per customer, as in
    /// the SQLite store: recommendations numbered 1..k in rank order; with `constraints`, the dropped candidates too.
    private static func groupResults(
        _ rows: PostgresRowSequence, constraints: [VolumeConstraint]? = nil, _ body: (CustomerResult) throws -> Void
    ) async throws {
        var current: CustomerResult?
        for try await (customerId, error, rank, offer, channel, score, reason) in rows.decode(
            (String, String?, Int?, String?, String?, Double?, Int32?).self)
        {
            if current?.customerId != customerId {
                if let finished = current { try body(finished) }
                current = CustomerResult(
                    customerId: customerId, recommendations: [], error: error, dropped: constraints.map { _ in [] })
            }
            guard let rank, let offer, let channel else { continue }
            if let constraints, let reason {
                current?.dropped?.append(DroppedCandidate(
                    rank: rank, offerId: offer, channel: channel, score: score ?? 0,
                    reason: VolumeAllocator.reason(reason, constraints: constraints)))
            } else if let count = current?.recommendations.count {
                current?.recommendations.append(Recommendation(rank: count + 1, offerId: offer, channel: channel, score: score))
            }
        }
        if let finished = current { try body(finished) }
    }
}
