import Foundation
import GRDB

/// Writes one batch of a run's results inside the caller's transaction: the customers and recommendations through
/// cached prepared statements (the run id bound once, then only the changing values), the breakdowns as upserts that
/// add to the counts, and the run's totals and progress.
///
/// The run's `last_customer_id`, read in the same transaction, makes the commit idempotent: a batch that ends at or
/// before it was committed already and is skipped.
struct SQLiteRunBatchWriter {
    let db: Database

    /// Commits `batch`: under its chunk claim when it has one, else as the run's only writer.
    func commit(_ batch: RunBatchCommit) throws -> RunBatchOutcome {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT seq, status, phase, last_customer_id, heartbeat_at FROM run WHERE id = ?", arguments: [batch.runId])
        else { throw SQLiteCustomerStore.runNotFound(batch.runId) }
        let run: Int64 = row["seq"]
        let committed: String?
        if let claim = batch.claim {
            _ = try SQLiteCustomerStore.checkClaim(claim, in: db)
            committed = try String.fetchOne(
                db, sql: "SELECT committed_through FROM run_chunk WHERE run_seq = ? AND chunk = ?", arguments: [run, claim.chunk])
        } else {
            committed = row["last_customer_id"]
        }
        if let committed, let first = batch.customerIds.first, let last = batch.customerIds.last,
            !committed.utf8.lexicographicallyPrecedes(first.utf8)
        {
            guard committed.utf8.lexicographicallyPrecedes(last.utf8) else { return .alreadyCommitted }
            throw StoreError(
                .invalidArgument,
                "the batch of run \(batch.runId) from \"\(first)\" to \"\(last)\" overlaps the customers committed up to \"\(committed)\"",
                value: batch.runId)
        }
        let status: String = row["status"]
        guard status == RunStatus.running.rawValue, (row["phase"] as String?) != RunPhase.allocating.rawValue else {
            throw RunStoreRules.notDeciding(batch.runId, status: status)
        }
        try writeCustomers(batch, run: run)
        try writeRecommendations(batch, run: run)
        try addCounts(batch, run: run)
        // Workers committing side by side each time their own batches; the run's execution time is its wall time
        // while running, so a chunk's batch adds only the time since the run's previous commit (by anyone).
        let now = Date()
        var milliseconds = batch.executionTimeMs
        if batch.claim != nil, let previous: Date = row["heartbeat_at"] {
            milliseconds = min(milliseconds, max(0, Int(now.timeIntervalSince(previous) * 1000)))
        }
        try advance(batch, milliseconds: milliseconds, at: now, run: run)
        if let claim = batch.claim { try advance(claim, by: batch, run: run) }
        return .committed
    }

    /// The chunk's own progress and the participant's count: the chunk committed through the batch's last customer.
    private func advance(_ claim: ChunkClaim, by batch: RunBatchCommit, run: Int64) throws {
        try db.cachedStatement(sql: """
            UPDATE run_chunk SET committed_through = coalesce(?, committed_through), processed = processed + ?
            WHERE run_seq = ? AND chunk = ?
            """
        ).execute(arguments: [batch.customerIds.last, batch.customerIds.count, run, claim.chunk])
        try db.cachedStatement(sql: """
            INSERT INTO run_participant (run_seq, name, host, customers)
            SELECT ?, name, host, ? FROM worker WHERE id = ?
            ON CONFLICT (run_seq, name) DO UPDATE SET customers = customers + excluded.customers, host = excluded.host
            """
        ).execute(arguments: [run, batch.customerIds.count, claim.workerId])
    }

    private func writeCustomers(_ batch: RunBatchCommit, run: Int64) throws {
        try insertRows(
            batch.customerIds.count, into: "run_customer", columns: ["customer_id", "recommendation_count", "error"], run: run
        ) { statement, parameter, index in
            statement.bind(.text(batch.customerIds[index]), at: parameter)
            statement.bind(.integer(Int64(batch.recommendationCounts[index])), at: parameter + 1)
            statement.bind(batch.errors[index].map(AttributeValue.text) ?? .null, at: parameter + 2)
        }
    }

    private func writeRecommendations(_ batch: RunBatchCommit, run: Int64) throws {
        var owners: [Int] = []
        var ranks: [Int] = []
        owners.reserveCapacity(batch.offerIds.count)
        ranks.reserveCapacity(batch.offerIds.count)
        for (customer, count) in batch.recommendationCounts.enumerated() where count > 0 {
            for rank in 1...count {
                owners.append(customer)
                ranks.append(rank)
            }
        }
        try insertRows(
            batch.offerIds.count, into: "run_result", columns: ["customer_id", "rank", "offer_id", "channel", "score"], run: run
        ) { statement, parameter, index in
            statement.bind(.text(batch.customerIds[owners[index]]), at: parameter)
            statement.bind(.integer(Int64(ranks[index])), at: parameter + 1)
            statement.bind(.text(batch.offerIds[index]), at: parameter + 2)
            statement.bind(.text(batch.channels[index]), at: parameter + 3)
            statement.bind(batch.scores[index].map(AttributeValue.real) ?? .null, at: parameter + 4)
        }
    }

    /// Inserts `count` rows into `table`, the run key `run` then `columns`, `rowsPerStatement` rows per execution
    /// of a cached multi-row statement (the run bound once as `?1`), the remainder one by one. `bind` binds row
    /// `index`'s columns from parameter `parameter` on.
    func insertRows(
        _ count: Int, into table: String, columns: [String], run: Int64,
        bind: (RawStatement, _ parameter: Int32, _ index: Int) -> Void
    ) throws {
        func statement(rows: Int) throws -> RawStatement {
            let row = "(?1" + String(repeating: ", ?", count: columns.count) + ")"
            let sql = "INSERT INTO \(table) (run_seq, \(columns.joined(separator: ", "))) VALUES "
                + Array(repeating: row, count: rows).joined(separator: ", ")
            let statement = RawStatement(try db.cachedStatement(sql: sql), in: db)
            statement.bind(.integer(run), at: 1)
            return statement
        }
        let width = Int32(columns.count)
        var index = 0
        if count >= Self.rowsPerStatement {
            let many = try statement(rows: Self.rowsPerStatement)
            while index + Self.rowsPerStatement <= count {
                for row in 0..<Self.rowsPerStatement {
                    bind(many, 2 + Int32(row) * width, index + row)
                }
                try many.execute()
                index += Self.rowsPerStatement
            }
        }
        guard index < count else { return }
        let one = try statement(rows: 1)
        while index < count {
            bind(one, 2, index)
            try one.execute()
            index += 1
        }
    }

    /// How many rows one execution of a multi-row insert writes.
    private static let rowsPerStatement = 50

    private func addCounts(_ batch: RunBatchCommit, run: Int64) throws {
        try addStageCounts(batch, run: run)
        // A run with volume constraints counts its recommendations when it allocates them.
        guard !batch.candidates else { return }
        let offers = try db.cachedStatement(sql: """
            INSERT INTO run_offer_count (run_seq, offer_id, offer_name, count) VALUES (?, ?, ?, ?)
            ON CONFLICT (run_seq, offer_id) DO UPDATE SET count = count + excluded.count, offer_name = excluded.offer_name
            """)
        for offer in batch.offerCounts {
            try offers.execute(arguments: [run, offer.offerId, offer.name, offer.count])
        }
        let channels = try db.cachedStatement(sql: """
            INSERT INTO run_channel_count (run_seq, channel, count) VALUES (?, ?, ?)
            ON CONFLICT (run_seq, channel) DO UPDATE SET count = count + excluded.count
            """)
        for channel in batch.channelCounts {
            try channels.execute(arguments: [run, channel.channel, channel.count])
        }
        let ranks = try db.cachedStatement(sql: """
            INSERT INTO run_rank_count (run_seq, rank, count) VALUES (?, ?, ?)
            ON CONFLICT (run_seq, rank) DO UPDATE SET count = count + excluded.count
            """)
        for rank in batch.rankCounts {
            try ranks.execute(arguments: [run, rank.rank, rank.count])
        }
    }

    private func addStageCounts(_ batch: RunBatchCommit, run: Int64) throws {
        let stages = try db.cachedStatement(sql: """
            INSERT INTO run_stage_count (run_seq, stage_index, stage_name, kind, received, dropped) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (run_seq, stage_index) DO UPDATE SET stage_name = excluded.stage_name, kind = excluded.kind,
                received = received + excluded.received, dropped = dropped + excluded.dropped
            """)
        for stage in batch.stageCounts {
            try stages.execute(arguments: [run, stage.index, stage.name, stage.kind, stage.received, stage.dropped])
        }
    }

    private func advance(_ batch: RunBatchCommit, milliseconds: Int, at now: Date, run: Int64) throws {
        try db.cachedStatement(sql: """
            UPDATE run SET processed = processed + ?, total_customers = total_customers + ?,
                customers_with_recommendations = customers_with_recommendations + ?,
                total_recommendations = total_recommendations + ?, errors_recorded = errors_recorded + ?,
                execution_time_ms = execution_time_ms + ?,
                last_customer_id = CASE WHEN ? THEN last_customer_id ELSE coalesce(?, last_customer_id) END,
                heartbeat_at = ?
            WHERE seq = ?
            """
        ).execute(arguments: [
            batch.customerIds.count, batch.customerIds.count,
            batch.candidates ? 0 : batch.recommendationCounts.count { $0 > 0 }, batch.candidates ? 0 : batch.offerIds.count, batch.errors.count { $0 != nil }, milliseconds, batch.claim != nil,
            batch.customerIds.last, now, run,
        ])
    }

    private func statement(_ sql: String) throws -> RawStatement {
        RawStatement(try db.cachedStatement(sql: sql), in: db)
    }
}
