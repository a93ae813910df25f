import Foundation
import Logging
import PostgresNIO

/// Runs with volume constraints on PostgreSQL, as in the SQLite store: moving a run from deciding to allocating,
/// the allocation (the pairs streamed in allocation order from one query, then the drops marked in key order from
/// other connections, a transaction under the claim at a time), and reading the candidates it dropped.
extension PostgresCustomerStore {
    public func allocate(_ claim: ChunkClaim, plan: AllocationPlan) async throws -> RunRecord {
        try await translatingErrors {
            let started = Date()
            let (run, record) = try await transaction { connection in
                let run = try await Self.runSeq(claim.runId, connection, logger: logger)
                _ = try await Self.checkClaim(claim, run: run, connection, logger: logger)
                try await connection.send("DELETE FROM run_drop WHERE run_seq = \(run)", logger: logger)
                try await Self.clearAllocationCounts(run: run, chunk: claim.chunk, connection, logger: logger)
                return (run, try await Self.runRecord(id: claim.runId, connection, logger: logger))
            }
            let walk = AllocationWalk(constraints: record.options.constraints, maxOffers: plan.maxOffers)
            // 1. The pairs in key order, streamed; sorted into allocation order and decided by the walk.
            try await client.withConnection { connection in
                let pairs = try await connection.send(
                    "SELECT customer_id, rank, offer_id, channel, score FROM run_result WHERE run_seq = \(run) ORDER BY customer_id, rank",
                    logger: logger)
                for try await (customerId, rank, offerId, channel, score) in pairs.decode((String, Int, String, String, Double?).self) {
                    try walk.add(customerId: customerId, rank: rank, offerId: offerId, channel: channel, score: score ?? 0)
                }
            }
            // The walk itself is computation in this process: a cancellation is looked at once it is done.
            _ = try walk.finish(checkEvery: Self.checkEvery) { false }
            var cancelled = try await transaction { try await self.stillAllocating(claim, run: run, $0) }
            // 2. The dropped pairs recorded with their reason in key order, a transaction under the claim for every
            // `checkEvery` of them.
            var next: Int? = 0
            while !cancelled, let start = next {
                var marks = Marks()
                next = walk.forEachDrop(from: start, limit: Self.checkEvery) { marks.append($0, $1, $2) }
                cancelled = try await transaction { connection in
                    if try await self.stillAllocating(claim, run: run, connection) { return true }
                    try await connection.send(
                        """
                        INSERT INTO run_drop (run_seq, customer_id, rank, reason)
                        SELECT \(run), id, rank, reason
                        FROM unnest(\(marks.customerIds)::TEXT[], \(marks.ranks)::INTEGER[], \(marks.reasons)::INTEGER[])
                            AS u (id, rank, reason)
                        """,
                        logger: logger)
                    return false
                }
            }
            // 3. The counters, funnel step and tallies under the allocation chunk, and the run's end.
            return try await transaction { connection in
                _ = try await Self.checkClaim(claim, run: run, connection, logger: logger)
                try await connection.send(
                    "UPDATE run_chunk SET state = 'done', worker_id = NULL, lease_until = NULL WHERE run_seq = \(run) AND chunk = \(claim.chunk)",
                    logger: logger)
                // Another process may have ended the run meanwhile (a cancellation seen while nobody held this chunk).
                let current = try await Self.lockedRun(claim.runId, connection, logger: logger)
                guard current.status == .running else { return current }
                if cancelled {
                    try await Self.move(
                        claim.runId, to: .cancelled, message: "cancelled on request while allocating", error: nil,
                        interrupted: false, connection, logger: logger)
                    return try await Self.runRecord(id: claim.runId, connection, logger: logger)
                }
                try await self.writeTotals(run: run, claim: claim, walk: walk, plan: plan, started: started, connection)
                var endingText: String?
                for try await text in try await connection.send("SELECT ending FROM run WHERE seq = \(run)", logger: logger).decode(String?.self) {
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

    /// How many pairs pass between checks of the claim and of a cancellation request (and between commits of marks).
    static let checkEvery = 100_000

    /// Dropped pairs as the columns of an array bind.
    struct Marks {
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

    /// Checks the claim and renews the run's heartbeat; `true` when a cancellation was asked for.
    private func stillAllocating(_ claim: ChunkClaim, run: Int64, _ connection: PostgresConnection) async throws -> Bool {
        _ = try await Self.checkClaim(claim, run: run, connection, logger: logger)
        try await connection.send("UPDATE run SET heartbeat_at = \(Date()) WHERE seq = \(run)", logger: logger)
        var requested = false
        for try await value in try await connection.send(
            "SELECT cancel_requested FROM run WHERE seq = \(run)", logger: logger
        ).decode(Bool.self) {
            requested = value
        }
        return requested
    }

    /// An earlier attempt's counters under the allocation chunk (none are committed unless it completed).
    private static func clearAllocationCounts(run: Int64, chunk: Int, _ connection: PostgresConnection, logger: Logger) async throws {
        for table in ["run_tally", "run_offer_count", "run_channel_count", "run_rank_count"] {
            try await connection.send("DELETE FROM \(unescaped: table) WHERE run_seq = \(run) AND chunk = \(chunk)", logger: logger)
        }
    }

    /// The breakdowns, totals, funnel step and tallies of an allocated run, counted under the allocation chunk's
    /// claim.
    private func writeTotals(
        run: Int64, claim: ChunkClaim, walk: AllocationWalk, plan: AllocationPlan, started: Date,
        _ connection: PostgresConnection
    ) async throws {
        let (chunk, token, allocator) = (claim.chunk, claim.token, walk.allocator)
        let ranks = allocator.rankCounts
        try await connection.send(
            """
            INSERT INTO run_rank_count (run_seq, chunk, token, rank, count)
            SELECT \(run), \(chunk), \(token), rank, count
            FROM unnest(\(ranks.map(\.rank))::INTEGER[], \(ranks.map(\.count))::BIGINT[]) AS u (rank, count)
            """,
            logger: logger)
        let offerIds = walk.offers.keys.sorted()
        try await connection.send(
            """
            INSERT INTO run_offer_count (run_seq, chunk, token, offer_id, offer_name, count)
            SELECT \(run), \(chunk), \(token), offer, name, count
            FROM unnest(\(offerIds)::TEXT[], \(offerIds.map { plan.offerNames[$0] ?? $0 })::TEXT[],
                        \(offerIds.map { walk.offers[$0] ?? 0 })::BIGINT[]) AS u (offer, name, count)
            """,
            logger: logger)
        let channelNames = walk.channels.keys.sorted()
        try await connection.send(
            """
            INSERT INTO run_channel_count (run_seq, chunk, token, channel, count)
            SELECT \(run), \(chunk), \(token), channel, count
            FROM unnest(\(channelNames)::TEXT[], \(channelNames.map { walk.channels[$0] ?? 0 })::BIGINT[]) AS u (channel, count)
            """,
            logger: logger)
        let step = allocator.funnelStep(index: plan.funnelIndex)
        try await connection.send(
            "DELETE FROM run_stage_count WHERE run_seq = \(run) AND stage_index = \(step.index)", logger: logger)
        try await connection.send(
            """
            INSERT INTO run_stage_count (run_seq, chunk, token, stage_index, stage_name, kind, received, dropped)
            VALUES (\(run), \(chunk), \(token), \(step.index), \(step.name), \(step.kind), \(step.received), \(step.dropped))
            """,
            logger: logger)
        try await connection.send(
            """
            INSERT INTO run_tally (run_seq, chunk, token, with_recommendations, recommendations, first_at, last_at)
            VALUES (\(run), \(chunk), \(token), \(allocator.customersWithRecommendations), \(allocator.walked - allocator.dropped),
                \(started), \(Date()))
            """,
            logger: logger)
        try await connection.send(
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
        try await connection.send(
            "UPDATE run_chunk SET state = 'done', worker_id = NULL, lease_until = NULL WHERE run_seq = \(run) AND state <> 'done'",
            logger: logger)
        try await connection.send(
            """
            INSERT INTO run_chunk (run_seq, chunk, first_customer_id, last_customer_id, size, kind)
            SELECT \(run), coalesce(max(chunk) + 1, 0), '', '', 1, 'allocation' FROM run_chunk WHERE run_seq = \(run)
            """,
            logger: logger)
        let ending = status == .completed ? nil : RunStoreRules.Ending(status: status, message: message, error: error)
        try await connection.send(
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
                for try await (rank, offer, channel, score, reason) in try await connection.send(
                    """
                    SELECT r.rank, r.offer_id, r.channel, r.score, d.reason
                    FROM run_drop d JOIN run_result r ON r.run_seq = d.run_seq AND r.customer_id = d.customer_id AND r.rank = d.rank
                    WHERE d.run_seq = \(run) AND d.customer_id = \(customerId) ORDER BY d.rank
                    """,
                    logger: logger
                ).decode((Int, String, String, Double?, Int32).self) {
                    dropped.append(DroppedCandidate(
                        rank: rank, offerId: offer, channel: channel, score: score ?? 0,
                        reason: VolumeAllocator.reason(reason, constraints: record.options.constraints)))
                }
                return dropped
            }
        }
    }
}
