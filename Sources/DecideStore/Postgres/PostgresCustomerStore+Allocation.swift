import Foundation
import Logging
import PostgresNIO

/// Runs with volume constraints on PostgreSQL, as in the SQLite store: moving a run from deciding to allocating,
/// the allocation (the sorted candidates streamed from one query, drops written from other connections in
/// batches under the claim), and reading the candidates it dropped.
extension PostgresCustomerStore {
    public func allocate(_ claim: ChunkClaim, plan: AllocationPlan) async throws -> RunRecord {
        try await translatingErrors {
            let started = Date()
            let (run, record) = try await transaction { connection in
                let run = try await Self.runSeq(claim.runId, connection, logger: logger)
                _ = try await Self.checkClaim(claim, run: run, connection, logger: logger)
                try await connection.query("DELETE FROM run_drop WHERE run_seq = \(run)", logger: logger)
                try await Self.clearAllocationCounts(run: run, chunk: claim.chunk, connection, logger: logger)
                return (run, try await Self.runRecord(id: claim.runId, connection, logger: logger))
            }
            var allocator = VolumeAllocator(constraints: record.options.constraints, maxOffers: plan.maxOffers)
            var offers: [String: Int] = [:]
            var channels: [String: Int] = [:]
            var drops = Drops()
            var cancelled = false
            let rows = try await client.query(
                """
                SELECT customer_id, rank, offer_id, channel FROM run_candidate WHERE run_seq = \(run)
                ORDER BY score DESC, customer_id, rank
                """,
                logger: logger)
            for try await (customerId, rank, offerId, channel) in rows.decode((String, Int, String, String).self) {
                if let reason = allocator.decide(customerId: customerId, offerId: offerId, channel: channel) {
                    drops.append(customerId, rank, reason)
                    if drops.count >= Self.flushEvery {
                        cancelled = try await transaction { try await self.writeDrops(drops, run: run, claim: claim, $0) }
                        drops = Drops()
                        if cancelled { break }
                    }
                } else {
                    offers[offerId, default: 0] += 1
                    channels[channel, default: 0] += 1
                }
            }
            return try await transaction { connection in
                if !cancelled { cancelled = try await self.writeDrops(drops, run: run, claim: claim, connection) }
                try await connection.query(
                    "UPDATE run_chunk SET state = 'done', worker_id = NULL, lease_until = NULL WHERE run_seq = \(run) AND chunk = \(claim.chunk)",
                    logger: logger)
                _ = try await Self.lockedRun(claim.runId, connection, logger: logger)
                if cancelled {
                    try await Self.move(
                        claim.runId, to: .cancelled, message: "cancelled on request while allocating", error: nil,
                        interrupted: false, connection, logger: logger)
                    return try await Self.runRecord(id: claim.runId, connection, logger: logger)
                }
                try await self.writeAllocation(
                    run: run, claim: claim, allocator: allocator, plan: plan, offers: offers, channels: channels,
                    started: started, connection)
                var endingText: String?
                for try await text in try await connection.query("SELECT ending FROM run WHERE seq = \(run)", logger: logger).decode(String?.self) {
                    endingText = text
                }
                let ending = try RunRecord.decodeJSON(RunStoreRules.Ending.self, endingText)
                try await Self.move(
                    claim.runId, to: ending?.status ?? .completed, message: ending?.message ?? "completed", error: ending?.error,
                    interrupted: false, connection, logger: logger)
                return try await Self.runRecord(id: claim.runId, connection, logger: logger)
            }
        }
    }

    /// How many dropped pairs are written at a time.
    static let flushEvery = 20_000

    /// Dropped pairs as the columns of an array bind.
    struct Drops {
        var customerIds: [String] = []
        var ranks: [Int] = []
        var reasons: [Int] = []
        var count: Int { customerIds.count }

        mutating func append(_ customerId: String, _ rank: Int, _ reason: Int32) {
            customerIds.append(customerId)
            ranks.append(rank)
            reasons.append(Int(reason))
        }
    }

    /// Writes dropped pairs under `claim`; returns whether a cancellation was asked for (nothing is written then).
    private func writeDrops(_ drops: Drops, run: Int64, claim: ChunkClaim, _ connection: PostgresConnection) async throws -> Bool {
        _ = try await Self.checkClaim(claim, run: run, connection, logger: logger)
        for try await requested in try await connection.query(
            "SELECT cancel_requested FROM run WHERE seq = \(run)", logger: logger
        ).decode(Bool.self) where requested {
            return true
        }
        if drops.count > 0 {
            try await connection.query(
                """
                INSERT INTO run_drop (run_seq, customer_id, rank, reason)
                SELECT \(run), id, rank, reason FROM unnest(\(drops.customerIds)::TEXT[], \(drops.ranks)::INTEGER[],
                    \(drops.reasons)::INTEGER[]) AS u (id, rank, reason)
                """,
                logger: logger)
        }
        try await connection.query("UPDATE run SET heartbeat_at = \(Date()) WHERE seq = \(run)", logger: logger)
        return false
    }

    /// An earlier attempt's counters under the allocation chunk (none are committed unless it completed).
    private static func clearAllocationCounts(run: Int64, chunk: Int, _ connection: PostgresConnection, logger: Logger) async throws {
        for table in ["run_tally", "run_offer_count", "run_channel_count", "run_rank_count"] {
            try await connection.query("DELETE FROM \(unescaped: table) WHERE run_seq = \(run) AND chunk = \(chunk)", logger: logger)
        }
    }

    /// The accepted pairs as the run's results, with the breakdowns, totals, funnel step and tallies, all counted
    /// under the allocation chunk's claim.
    private func writeAllocation(
        run: Int64, claim: ChunkClaim, allocator: VolumeAllocator, plan: AllocationPlan, offers: [String: Int],
        channels: [String: Int], started: Date, _ connection: PostgresConnection
    ) async throws {
        let (chunk, token) = (claim.chunk, claim.token)
        try await connection.query(
            """
            INSERT INTO run_result (run_seq, customer_id, rank, offer_id, channel, score)
            SELECT run_seq, customer_id, row_number() OVER (PARTITION BY customer_id ORDER BY rank), offer_id, channel, score
            FROM run_candidate c
            WHERE run_seq = \(run) AND NOT EXISTS (
                SELECT 1 FROM run_drop d WHERE d.run_seq = c.run_seq AND d.customer_id = c.customer_id AND d.rank = c.rank)
            """,
            logger: logger)
        try await connection.query(
            """
            INSERT INTO run_rank_count (run_seq, chunk, token, rank, count)
            SELECT run_seq, \(chunk), \(token), rank, count(*) FROM run_result WHERE run_seq = \(run) GROUP BY run_seq, rank
            """,
            logger: logger)
        let updated = try await connection.query(
            """
            UPDATE run_customer SET recommendation_count = r.n
            FROM (SELECT customer_id, count(*) AS n FROM run_result WHERE run_seq = \(run) GROUP BY customer_id) r
            WHERE run_customer.run_seq = \(run) AND run_customer.customer_id = r.customer_id
            RETURNING 1
            """,
            logger: logger)
        var customers = 0
        for try await _ in updated { customers += 1 }
        let offerIds = offers.keys.sorted()
        try await connection.query(
            """
            INSERT INTO run_offer_count (run_seq, chunk, token, offer_id, offer_name, count)
            SELECT \(run), \(chunk), \(token), offer, name, count
            FROM unnest(\(offerIds)::TEXT[], \(offerIds.map { plan.offerNames[$0] ?? $0 })::TEXT[],
                        \(offerIds.map { offers[$0] ?? 0 })::BIGINT[]) AS u (offer, name, count)
            """,
            logger: logger)
        let channelNames = channels.keys.sorted()
        try await connection.query(
            """
            INSERT INTO run_channel_count (run_seq, chunk, token, channel, count)
            SELECT \(run), \(chunk), \(token), channel, count
            FROM unnest(\(channelNames)::TEXT[], \(channelNames.map { channels[$0] ?? 0 })::BIGINT[]) AS u (channel, count)
            """,
            logger: logger)
        let step = allocator.funnelStep(index: plan.funnelIndex)
        try await connection.query(
            """
            DELETE FROM run_stage_count WHERE run_seq = \(run) AND stage_index = \(step.index)
            """,
            logger: logger)
        try await connection.query(
            """
            INSERT INTO run_stage_count (run_seq, chunk, token, stage_index, stage_name, kind, received, dropped)
            VALUES (\(run), \(chunk), \(token), \(step.index), \(step.name), \(step.kind), \(step.received), \(step.dropped))
            """,
            logger: logger)
        try await connection.query(
            """
            INSERT INTO run_tally (run_seq, chunk, token, with_recommendations, recommendations, first_at, last_at)
            VALUES (\(run), \(chunk), \(token), \(customers), \(allocator.walked - allocator.dropped), \(started), \(Date()))
            """,
            logger: logger)
        try await connection.query(
            "UPDATE run SET constraint_tallies = \(try RunRecord.encodeJSON(allocator.tallies)), heartbeat_at = \(Date()) WHERE seq = \(run)",
            logger: logger)
    }

    /// Ends a running run, or, for a run with volume constraints still deciding, moves it to allocating (as the
    /// SQLite store's `endOrAllocate` does).
    static func endOrAllocate(
        _ record: RunRecord, status: RunStatus, message: String, error: RunFailure?, _ connection: PostgresConnection,
        logger: Logger
    ) async throws {
        guard record.phase == .deciding else {
            try await move(record.id, to: status, message: message, error: error, interrupted: false, connection, logger: logger)
            return
        }
        let run = try await runSeq(record.id, connection, logger: logger)
        try await connection.query(
            "UPDATE run_chunk SET state = 'done', worker_id = NULL, lease_until = NULL WHERE run_seq = \(run) AND state <> 'done'",
            logger: logger)
        try await connection.query(
            """
            INSERT INTO run_chunk (run_seq, chunk, first_customer_id, last_customer_id, size, kind)
            SELECT \(run), coalesce(max(chunk) + 1, 0), '', '', 1, 'allocation' FROM run_chunk WHERE run_seq = \(run)
            """,
            logger: logger)
        let ending = status == .completed ? nil : RunStoreRules.Ending(status: status, message: message, error: error)
        try await connection.query(
            """
            UPDATE run SET phase = 'allocating', ending = \(try RunRecord.encodeJSON(ending)), cancel_requested = false,
                heartbeat_at = \(Date())
            WHERE seq = \(run)
            """,
            logger: logger)
        try await notifyWork(connection, logger: logger)
    }

    public func droppedCandidates(runId: String, customerId: String) async throws -> [DroppedCandidate] {
        try await translatingErrors {
            try await client.withConnection { connection in
                let record = try await Self.runRecord(id: runId, connection, logger: logger)
                let run = try await Self.runSeq(runId, connection, logger: logger)
                var dropped: [DroppedCandidate] = []
                for try await (rank, offer, channel, score, reason) in try await connection.query(
                    """
                    SELECT c.rank, c.offer_id, c.channel, c.score, d.reason
                    FROM run_drop d JOIN run_candidate c ON c.run_seq = d.run_seq AND c.customer_id = d.customer_id AND c.rank = d.rank
                    WHERE d.run_seq = \(run) AND d.customer_id = \(customerId) ORDER BY d.rank
                    """,
                    logger: logger
                ).decode((Int, String, String, Double, Int32).self) {
                    dropped.append(DroppedCandidate(
                        rank: rank, offerId: offer, channel: channel, score: score,
                        reason: VolumeAllocator.reason(reason, constraints: record.options.constraints)))
                }
                return dropped
            }
        }
    }
}
