import Foundation
import Logging
import PostgresNIO

/// Writes one batch of a run's results inside the caller's transaction, with array binds (`unnest`) rather than a
/// statement per row: the customers and recommendations, then the counters of the batch's chunk claim (its tally
/// and breakdown rows, which no other worker writes), the chunk's progress and the participant's count.
///
/// The claim's chunk row is locked and its token checked first (`leaseLost` otherwise); the run row is only
/// share-locked, so workers committing side by side never wait for each other.
struct PostgresRunBatchWriter {
    let connection: PostgresConnection
    let logger: Logger

    /// Commits `batch`: under its chunk claim when it has one, else as the run's only writer (chunk -1).
    func commit(_ batch: RunBatchCommit) async throws -> RunBatchOutcome {
        var run: Int64?
        var status = ""
        var phase: String?
        for try await (seq, current, currentPhase) in try await connection.send(
            "SELECT seq, status, phase FROM run WHERE id = \(batch.runId) FOR SHARE", logger: logger
        ).decode((Int64, String, String?).self) {
            run = seq
            status = current
            phase = currentPhase
        }
        guard let run else { throw RunStoreRules.runNotFound(batch.runId) }
        let chunk = batch.claim?.chunk ?? -1
        let token = batch.claim?.token ?? 0
        var committed: String?
        if let claim = batch.claim {
            committed = try await PostgresCustomerStore.checkClaim(claim, run: run, connection, logger: logger)
        } else {
            for try await last in try await connection.send(
                "SELECT last_customer_id FROM run_tally WHERE run_seq = \(run) AND chunk = -1 AND token = 0", logger: logger
            ).decode(String?.self) {
                committed = last
            }
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
        guard status == RunStatus.running.rawValue, phase != RunPhase.allocating.rawValue else {
            throw RunStoreRules.notDeciding(batch.runId, status: status)
        }
        try await writeCustomers(batch, run: run)
        try await writeRecommendations(batch, run: run)
        try await addCounts(batch, run: run, chunk: chunk, token: token)
        if let claim = batch.claim {
            try await connection.send(
                """
                UPDATE run_chunk SET committed_through = \(batch.customerIds.last), processed = processed + \(batch.customerIds.count)
                WHERE run_seq = \(run) AND chunk = \(claim.chunk)
                """,
                logger: logger)
            try await connection.send(
                """
                INSERT INTO run_participant (run_seq, name, host, customers)
                SELECT \(run), name, host, \(batch.customerIds.count) FROM worker WHERE id = \(claim.workerId)
                ON CONFLICT (run_seq, name) DO UPDATE SET customers = run_participant.customers + excluded.customers,
                    host = excluded.host
                """,
                logger: logger)
        }
        return .committed
    }

    private func writeCustomers(_ batch: RunBatchCommit, run: Int64) async throws {
        guard !batch.customerIds.isEmpty else { return }
        // A customer's error is never empty, so an empty string stands for none in the array.
        let errors = batch.errors.map { $0 ?? "" }
        try await connection.send(
            """
            INSERT INTO run_customer (run_seq, customer_id, recommendation_count, error)
            SELECT \(run), id, count, NULLIF(error, '')
            FROM unnest(\(batch.customerIds)::TEXT[], \(batch.recommendationCounts)::INTEGER[], \(errors)::TEXT[]) AS u (id, count, error)
            """,
            logger: logger)
    }

    private func writeRecommendations(_ batch: RunBatchCommit, run: Int64) async throws {
        guard !batch.offerIds.isEmpty else { return }
        var owners: [String] = []
        var ranks: [Int] = []
        owners.reserveCapacity(batch.offerIds.count)
        ranks.reserveCapacity(batch.offerIds.count)
        for (customer, count) in batch.recommendationCounts.enumerated() where count > 0 {
            for rank in 1...count {
                owners.append(batch.customerIds[customer])
                ranks.append(rank)
            }
        }
        // A score is never NaN (the engine reads NaN as no score), so NaN stands for none in the array.
        let scores = batch.scores.map { $0 ?? .nan }
        try await connection.send(
            """
            INSERT INTO run_result (run_seq, customer_id, rank, offer_id, channel, score)
            SELECT \(run), id, rank, offer, channel, NULLIF(score, 'NaN'::DOUBLE PRECISION)
            FROM unnest(\(owners)::TEXT[], \(ranks)::INTEGER[], \(batch.offerIds)::TEXT[], \(batch.channels)::TEXT[],
                        \(scores)::DOUBLE PRECISION[]) AS u (id, rank, offer, channel, score)
            """,
            logger: logger)
    }

    private func addCounts(_ batch: RunBatchCommit, run: Int64, chunk: Int, token: Int64) async throws {
        let now = Date()
        let started = now.addingTimeInterval(-Double(batch.executionTimeMs) / 1000)
        try await connection.send(
            """
            INSERT INTO run_tally (run_seq, chunk, token, processed, with_recommendations, recommendations, errors, execution_ms,
                first_at, last_at, last_customer_id)
            VALUES (\(run), \(chunk), \(token), \(batch.customerIds.count),
                \(batch.candidates ? 0 : batch.recommendationCounts.count { $0 > 0 }), \(batch.candidates ? 0 : batch.offerIds.count), \(batch.errors.count { $0 != nil }), \(batch.executionTimeMs), \(started), \(now),
                \(batch.customerIds.last))
            ON CONFLICT (run_seq, chunk, token) DO UPDATE SET processed = run_tally.processed + excluded.processed,
                with_recommendations = run_tally.with_recommendations + excluded.with_recommendations,
                recommendations = run_tally.recommendations + excluded.recommendations,
                errors = run_tally.errors + excluded.errors, execution_ms = run_tally.execution_ms + excluded.execution_ms,
                last_at = excluded.last_at,
                last_customer_id = coalesce(excluded.last_customer_id, run_tally.last_customer_id)
            """,
            logger: logger)
        if !batch.offerCounts.isEmpty && !batch.candidates {
            try await connection.send(
                """
                INSERT INTO run_offer_count (run_seq, chunk, token, offer_id, offer_name, count)
                SELECT \(run), \(chunk), \(token), offer, name, count
                FROM unnest(\(batch.offerCounts.map(\.offerId))::TEXT[], \(batch.offerCounts.map(\.name))::TEXT[],
                            \(batch.offerCounts.map(\.count))::BIGINT[]) AS u (offer, name, count)
                ON CONFLICT (run_seq, chunk, token, offer_id) DO UPDATE SET count = run_offer_count.count + excluded.count,
                    offer_name = excluded.offer_name
                """,
                logger: logger)
        }
        if !batch.channelCounts.isEmpty && !batch.candidates {
            try await connection.send(
                """
                INSERT INTO run_channel_count (run_seq, chunk, token, channel, count)
                SELECT \(run), \(chunk), \(token), channel, count
                FROM unnest(\(batch.channelCounts.map(\.channel))::TEXT[], \(batch.channelCounts.map(\.count))::BIGINT[]) AS u (channel, count)
                ON CONFLICT (run_seq, chunk, token, channel) DO UPDATE SET count = run_channel_count.count + excluded.count
                """,
                logger: logger)
        }
        if !batch.rankCounts.isEmpty && !batch.candidates {
            try await connection.send(
                """
                INSERT INTO run_rank_count (run_seq, chunk, token, rank, count)
                SELECT \(run), \(chunk), \(token), rank, count
                FROM unnest(\(batch.rankCounts.map(\.rank))::INTEGER[], \(batch.rankCounts.map(\.count))::BIGINT[]) AS u (rank, count)
                ON CONFLICT (run_seq, chunk, token, rank) DO UPDATE SET count = run_rank_count.count + excluded.count
                """,
                logger: logger)
        }
        if !batch.stageCounts.isEmpty {
            try await connection.send(
                """
                INSERT INTO run_stage_count (run_seq, chunk, token, stage_index, stage_name, kind, received, dropped)
                SELECT \(run), \(chunk), \(token), index, name, kind, received, dropped
                FROM unnest(\(batch.stageCounts.map(\.index))::INTEGER[], \(batch.stageCounts.map(\.name))::TEXT[],
                            \(batch.stageCounts.map(\.kind))::TEXT[], \(batch.stageCounts.map(\.received))::BIGINT[],
                            \(batch.stageCounts.map(\.dropped))::BIGINT[]) AS u (index, name, kind, received, dropped)
                ON CONFLICT (run_seq, chunk, token, stage_index) DO UPDATE SET received = run_stage_count.received + excluded.received,
                    dropped = run_stage_count.dropped + excluded.dropped, stage_name = excluded.stage_name, kind = excluded.kind
                """,
                logger: logger)
        }
    }
}
