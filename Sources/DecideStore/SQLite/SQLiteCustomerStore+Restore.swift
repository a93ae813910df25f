import Foundation
import GRDB

/// Writing runs copied from another store (`decide store copy`).
extension SQLiteCustomerStore {
    public func restoreRun(_ archive: RunArchive) throws {
        let run = archive.record
        try Self.translatingErrors {
            try pool.write { db in
                if try Int64.fetchOne(db, sql: "SELECT seq FROM run WHERE id = ?", arguments: [run.id]) != nil {
                    throw StoreError(.invalidArgument, "a run \(run.id) exists already", value: run.id)
                }
                let options = run.options
                let summary = run.summary
                try db.execute(
                    sql: """
                        INSERT INTO run (id, name, flow_key, flow_version, flow_snapshot, segment, filter, workers, batch_size, seed,
                            max_errors, memory_limit_mib, instruction_budget, deadline_seconds, chunk_size, status, created_at,
                            started_at, finished_at, error_message, error_file, error_line, error_customer_id, interrupted, partial,
                            cancel_requested, processed, total, last_customer_id, heartbeat_at, total_customers,
                            customers_with_recommendations, total_recommendations, execution_time_ms, errors_recorded, constraints,
                            phase, constraint_tallies, decided_at, released_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                            ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        run.id, run.name, run.flowKey, run.flowVersion, run.flowSnapshot, run.segment, run.filter, options.workers,
                        options.batchSize, options.seed.map { Int64(bitPattern: $0) }, options.maxErrors,
                        options.limits.memoryLimitMiB, options.limits.instructionBudget, options.limits.deadlineSeconds,
                        options.chunkSize, run.status.rawValue, run.createdAt, run.startedAt, run.finishedAt, run.error?.message,
                        run.error?.file, run.error?.line, run.error?.customerId, run.interrupted, run.partial, run.cancelRequested,
                        run.progress.processed, run.progress.total, run.progress.lastCustomerId, run.heartbeatAt,
                        summary.totalCustomers, summary.customersWithRecommendations, summary.totalRecommendations,
                        summary.executionTimeMs, summary.errorsRecorded,
                        try RunRecord.encodeJSON(options.constraints.isEmpty ? nil : options.constraints), run.phase?.rawValue,
                        try RunRecord.encodeJSON(run.constraintTallies), run.decidedAt, run.releasedAt,
                    ])
                let seq = try Self.runSeq(run.id, in: db)
                for (index, event) in archive.events.enumerated() {
                    try db.execute(
                        sql: "INSERT INTO run_event (run_seq, seq, status, at, message) VALUES (?, ?, ?, ?, ?)",
                        arguments: [seq, index + 1, event.status.rawValue, event.at, event.message])
                }
                for offer in archive.offers {
                    try db.execute(
                        sql: "INSERT INTO run_offer_count (run_seq, offer_id, offer_name, count) VALUES (?, ?, ?, ?)",
                        arguments: [seq, offer.offerId, offer.name, offer.count])
                }
                for channel in archive.channels {
                    try db.execute(
                        sql: "INSERT INTO run_channel_count (run_seq, channel, count) VALUES (?, ?, ?)", arguments: [seq, channel.channel, channel.count])
                }
                for rank in archive.ranks {
                    try db.execute(sql: "INSERT INTO run_rank_count (run_seq, rank, count) VALUES (?, ?, ?)", arguments: [seq, rank.rank, rank.count])
                }
                for stage in archive.stages {
                    try db.execute(
                        sql: "INSERT INTO run_stage_count (run_seq, stage_index, stage_name, kind, received, dropped) VALUES (?, ?, ?, ?, ?, ?)",
                        arguments: [seq, stage.index, stage.name, stage.kind, stage.received, stage.dropped])
                }
                for participant in archive.participants {
                    try db.execute(
                        sql: "INSERT INTO run_participant (run_seq, name, host, customers) VALUES (?, ?, ?, ?)",
                        arguments: [seq, participant.name, participant.host, participant.customers])
                }
            }
        }
    }

    public func restoreResults(runId: String, _ results: [CustomerResult]) throws {
        try Self.translatingErrors {
            try pool.write { db in
                let seq = try Self.runSeq(runId, in: db)
                let customer = try db.cachedStatement(
                    sql: "INSERT INTO run_customer (run_seq, customer_id, recommendation_count, error) VALUES (?, ?, ?, ?)")
                let recommendation = try db.cachedStatement(
                    sql: "INSERT INTO run_result (run_seq, customer_id, rank, offer_id, channel, score) VALUES (?, ?, ?, ?, ?, ?)")
                for result in results {
                    try customer.execute(arguments: [seq, result.customerId, result.recommendations.count, result.error])
                    for item in result.recommendations {
                        try recommendation.execute(arguments: [seq, result.customerId, item.rank, item.offerId, item.channel, item.score])
                    }
                }
            }
        }
    }
}
