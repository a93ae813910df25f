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

    /// Commits `batch`.
    func commit(_ batch: RunBatchCommit) throws -> RunBatchOutcome {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT status, last_customer_id FROM run WHERE id = ?", arguments: [batch.runId])
        else { throw SQLiteCustomerStore.runNotFound(batch.runId) }
        if let committed: String = row["last_customer_id"], let first = batch.customerIds.first,
            let last = batch.customerIds.last, !committed.utf8.lexicographicallyPrecedes(first.utf8)
        {
            guard committed.utf8.lexicographicallyPrecedes(last.utf8) else { return .alreadyCommitted }
            throw StoreError(
                .invalidArgument,
                "the batch of run \(batch.runId) from \"\(first)\" to \"\(last)\" overlaps the customers committed up to \"\(committed)\"",
                value: batch.runId)
        }
        let status: String = row["status"]
        guard status == RunStatus.running.rawValue else {
            throw StoreError(.runNotRunning, "run \(batch.runId) is \(status), not running: its batches cannot be committed", value: batch.runId)
        }
        try writeCustomers(batch)
        try writeRecommendations(batch)
        try addCounts(batch)
        try advance(batch)
        return .committed
    }

    private func writeCustomers(_ batch: RunBatchCommit) throws {
        let insert = try statement("INSERT INTO run_customer (run_id, customer_id, recommendation_count, error) VALUES (?, ?, ?, ?)")
        insert.bind(.text(batch.runId), at: 1)
        for index in batch.customerIds.indices {
            insert.bind(.text(batch.customerIds[index]), at: 2)
            insert.bind(.integer(Int64(batch.recommendationCounts[index])), at: 3)
            insert.bind(batch.errors[index].map(AttributeValue.text) ?? .null, at: 4)
            try insert.execute()
        }
    }

    private func writeRecommendations(_ batch: RunBatchCommit) throws {
        let insert = try statement("""
            INSERT INTO run_result (run_id, customer_id, rank, offer_id, channel, score) VALUES (?, ?, ?, ?, ?, ?)
            """)
        insert.bind(.text(batch.runId), at: 1)
        var position = 0
        for (index, count) in batch.recommendationCounts.enumerated() where count > 0 {
            insert.bind(.text(batch.customerIds[index]), at: 2)
            for rank in 1...count {
                insert.bind(.integer(Int64(rank)), at: 3)
                insert.bind(.text(batch.offerIds[position]), at: 4)
                insert.bind(.text(batch.channels[position]), at: 5)
                insert.bind(batch.scores[position].map(AttributeValue.real) ?? .null, at: 6)
                try insert.execute()
                position += 1
            }
        }
    }

    private func addCounts(_ batch: RunBatchCommit) throws {
        let offers = try db.cachedStatement(sql: """
            INSERT INTO run_offer_count (run_id, offer_id, offer_name, count) VALUES (?, ?, ?, ?)
            ON CONFLICT (run_id, offer_id) DO UPDATE SET count = count + excluded.count, offer_name = excluded.offer_name
            """)
        for offer in batch.offerCounts {
            try offers.execute(arguments: [batch.runId, offer.offerId, offer.name, offer.count])
        }
        let channels = try db.cachedStatement(sql: """
            INSERT INTO run_channel_count (run_id, channel, count) VALUES (?, ?, ?)
            ON CONFLICT (run_id, channel) DO UPDATE SET count = count + excluded.count
            """)
        for channel in batch.channelCounts {
            try channels.execute(arguments: [batch.runId, channel.channel, channel.count])
        }
        let ranks = try db.cachedStatement(sql: """
            INSERT INTO run_rank_count (run_id, rank, count) VALUES (?, ?, ?)
            ON CONFLICT (run_id, rank) DO UPDATE SET count = count + excluded.count
            """)
        for rank in batch.rankCounts {
            try ranks.execute(arguments: [batch.runId, rank.rank, rank.count])
        }
        let stages = try db.cachedStatement(sql: """
            INSERT INTO run_stage_count (run_id, stage_index, stage_name, kind, received, dropped) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (run_id, stage_index) DO UPDATE SET stage_name = excluded.stage_name, kind = excluded.kind,
                received = received + excluded.received, dropped = dropped + excluded.dropped
            """)
        for stage in batch.stageCounts {
            try stages.execute(arguments: [batch.runId, stage.index, stage.name, stage.kind, stage.received, stage.dropped])
        }
    }

    private func advance(_ batch: RunBatchCommit) throws {
        try db.cachedStatement(sql: """
            UPDATE run SET processed = processed + ?, total_customers = total_customers + ?,
                customers_with_recommendations = customers_with_recommendations + ?,
                total_recommendations = total_recommendations + ?, errors_recorded = errors_recorded + ?,
                execution_time_ms = execution_time_ms + ?, last_customer_id = coalesce(?, last_customer_id),
                heartbeat_at = ?
            WHERE id = ?
            """
        ).execute(arguments: [
            batch.customerIds.count, batch.customerIds.count, batch.recommendationCounts.count { $0 > 0 },
            batch.offerIds.count, batch.errors.count { $0 != nil }, batch.executionTimeMs, batch.customerIds.last,
            Date(), batch.runId,
        ])
    }

    private func statement(_ sql: String) throws -> RawStatement {
        RawStatement(try db.cachedStatement(sql: sql), in: db)
    }
}
