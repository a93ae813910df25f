import Foundation
import Logging
import PostgresNIO

/// Writing runs copied from another store (`decide store copy`): the totals go into one tally without a chunk.
extension PostgresCustomerStore {
    public func restoreRun(_ archive: RunArchive) async throws {
        let run = archive.record
        try await translatingErrors {
            try await transaction { connection in
                let existing = try await connection.send("SELECT seq FROM run WHERE id = \(run.id)", logger: logger).collect()
                guard existing.isEmpty else { throw StoreError(.invalidArgument, "a run \(run.id) exists already", value: run.id) }
                let options = run.options
                let summary = run.summary
                try await connection.send(
                    """
                    INSERT INTO run (id, name, flow_key, flow_version, flow_snapshot, segment, filter, workers, batch_size, seed,
                        max_errors, memory_limit_mib, instruction_budget, deadline_seconds, chunk_size, status, created_at,
                        started_at, finished_at, error_message, error_file, error_line, error_customer_id, interrupted, partial,
                        cancel_requested, total, heartbeat_at, constraints, phase, constraint_tallies, decided_at, released_at)
                    VALUES (\(run.id), \(run.name), \(run.flowKey), \(run.flowVersion), \(run.flowSnapshot), \(run.segment),
                        \(run.filter), \(options.workers), \(options.batchSize), \(options.seed.map { Int64(bitPattern: $0) }),
                        \(options.maxErrors), \(options.limits.memoryLimitMiB), \(options.limits.instructionBudget),
                        \(options.limits.deadlineSeconds), \(options.chunkSize), \(run.status.rawValue), \(run.createdAt),
                        \(run.startedAt), \(run.finishedAt), \(run.error?.message), \(run.error?.file), \(run.error?.line),
                        \(run.error?.customerId), \(run.interrupted), \(run.partial), \(run.cancelRequested), \(run.progress.total),
                        \(run.heartbeatAt), \(try RunRecord.encodeJSON(options.constraints.isEmpty ? nil : options.constraints)),
                        \(run.phase?.rawValue), \(try RunRecord.encodeJSON(run.constraintTallies)), \(run.decidedAt),
                        \(run.releasedAt))
                    """,
                    logger: logger)
                let seq = try await Self.runSeq(run.id, connection, logger: logger)
                if run.status != .pending {
                    let at = run.finishedAt ?? run.startedAt ?? run.createdAt
                    try await connection.send(
                        """
                        INSERT INTO run_tally (run_seq, chunk, token, processed, with_recommendations, recommendations, errors,
                            execution_ms, first_at, last_at, last_customer_id)
                        VALUES (\(seq), -1, 0, \(summary.totalCustomers), \(summary.customersWithRecommendations),
                            \(summary.totalRecommendations), \(summary.errorsRecorded), \(summary.executionTimeMs), \(at), \(at),
                            \(run.progress.lastCustomerId))
                        """,
                        logger: logger)
                }
                for (index, event) in archive.events.enumerated() {
                    try await connection.send(
                        "INSERT INTO run_event (run_seq, seq, status, at, message) VALUES (\(seq), \(index + 1), \(event.status.rawValue), \(event.at), \(event.message))",
                        logger: logger)
                }
                for offer in archive.offers {
                    try await connection.send(
                        "INSERT INTO run_offer_count (run_seq, chunk, token, offer_id, offer_name, count) VALUES (\(seq), -1, 0, \(offer.offerId), \(offer.name), \(offer.count))",
                        logger: logger)
                }
                for channel in archive.channels {
                    try await connection.send(
                        "INSERT INTO run_channel_count (run_seq, chunk, token, channel, count) VALUES (\(seq), -1, 0, \(channel.channel), \(channel.count))",
                        logger: logger)
                }
                for rank in archive.ranks {
                    try await connection.send(
                        "INSERT INTO run_rank_count (run_seq, chunk, token, rank, count) VALUES (\(seq), -1, 0, \(rank.rank), \(rank.count))",
                        logger: logger)
                }
                for stage in archive.stages {
                    try await connection.send(
                        """
                        INSERT INTO run_stage_count (run_seq, chunk, token, stage_index, stage_name, kind, received, dropped)
                        VALUES (\(seq), -1, 0, \(stage.index), \(stage.name), \(stage.kind), \(stage.received), \(stage.dropped))
                        """,
                        logger: logger)
                }
                for participant in archive.participants {
                    try await connection.send(
                        "INSERT INTO run_participant (run_seq, name, host, customers) VALUES (\(seq), \(participant.name), \(participant.host), \(participant.customers))",
                        logger: logger)
                }
            }
        }
    }

    public func restoreResults(runId: String, _ results: [CustomerResult]) async throws {
        try await translatingErrors {
            try await transaction { connection in
                let seq = try await Self.runSeq(runId, connection, logger: logger)
                let ids = results.map(\.customerId)
                let counts = results.map(\.recommendations.count)
                let errors = results.map { $0.error ?? "" }
                try await connection.send(
                    """
                    INSERT INTO run_customer (run_seq, customer_id, recommendation_count, error)
                    SELECT \(seq), id, count, NULLIF(error, '')
                    FROM unnest(\(ids)::TEXT[], \(counts)::INTEGER[], \(errors)::TEXT[]) AS u (id, count, error)
                    """,
                    logger: logger)
                let items = results.flatMap { result in result.recommendations.map { (result.customerId, $0) } }
                guard !items.isEmpty else { return }
                try await connection.send(
                    """
                    INSERT INTO run_result (run_seq, customer_id, rank, offer_id, channel, score)
                    SELECT \(seq), id, rank, offer, channel, NULLIF(score, 'NaN'::DOUBLE PRECISION)
                    FROM unnest(\(items.map(\.0))::TEXT[], \(items.map(\.1.rank))::INTEGER[], \(items.map(\.1.offerId))::TEXT[],
                                \(items.map(\.1.channel))::TEXT[], \(items.map { $0.1.score ?? .nan })::DOUBLE PRECISION[])
                         AS u (id, rank, offer, channel, score)
                    """,
                    logger: logger)
            }
        }
    }
}
