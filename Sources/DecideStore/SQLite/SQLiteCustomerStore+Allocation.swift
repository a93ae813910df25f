import Foundation
import GRDB

/// Runs with volume constraints: moving a run from deciding to allocating, the allocation itself, and reading the
/// candidates it dropped.
extension SQLiteCustomerStore {
    public func allocate(_ claim: ChunkClaim, plan: AllocationPlan) throws -> RunRecord {
        try Self.translatingErrors {
            let (run, record) = try pool.write { db in
                let run = try Self.checkClaim(claim, in: db)
                try db.execute(sql: "DELETE FROM run_drop WHERE run_seq = ?", arguments: [run])
                return (run, try Self.runRecord(id: claim.runId, in: db))
            }
            var allocator = VolumeAllocator(constraints: record.options.constraints, maxOffers: plan.maxOffers)
            var offers: [String: Int] = [:]
            var channels: [String: Int] = [:]
            var drops: [(customerId: String, rank: Int, reason: Int32)] = []
            var cancelled = false
            // One snapshot of the candidates, sorted by SQLite (an external sort, bounded in memory); the drops are
            // written by the writer connection every `flushEvery` pairs, each time under the claim.
            try pool.read { db in
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT customer_id, rank, offer_id, channel FROM run_candidate WHERE run_seq = ?
                        ORDER BY score DESC, customer_id, rank
                        """,
                    arguments: [run])
                while let row = try rows.next() {
                    let customerId: String = row[0]
                    let offerId: String = row[2]
                    let channel: String = row[3]
                    if let reason = allocator.decide(customerId: customerId, offerId: offerId, channel: channel) {
                        drops.append((customerId, row[1], reason))
                        if drops.count >= Self.flushEvery {
                            cancelled = try pool.write { db in try Self.writeDrops(drops, claim: claim, in: db) }
                            drops.removeAll(keepingCapacity: true)
                            if cancelled { return }
                        }
                    } else {
                        offers[offerId, default: 0] += 1
                        channels[channel, default: 0] += 1
                    }
                }
            }
            return try pool.write { db in
                if !cancelled { cancelled = try Self.writeDrops(drops, claim: claim, in: db) }
                if cancelled {
                    try Self.finishAllocationChunk(run: run, claim: claim, in: db)
                    try Self.end(record, status: .cancelled, message: "cancelled on request while allocating", error: nil, in: db)
                    return try Self.runRecord(id: claim.runId, in: db)
                }
                try Self.writeAllocation(
                    run: run, allocator: allocator, plan: plan, offers: offers, channels: channels, in: db)
                try Self.finishAllocationChunk(run: run, claim: claim, in: db)
                let ending = try RunRecord.decodeJSON(
                    RunStoreRules.Ending.self, try String.fetchOne(db, sql: "SELECT ending FROM run WHERE seq = ?", arguments: [run]))
                try Self.end(
                    try Self.runRecord(id: claim.runId, in: db), status: ending?.status ?? .completed,
                    message: ending?.message ?? "completed", error: ending?.error, in: db)
                return try Self.runRecord(id: claim.runId, in: db)
            }
        }
    }

    /// How many dropped pairs are written at a time.
    static let flushEvery = 20_000

    /// Writes dropped pairs under `claim`; returns whether a cancellation was asked for (nothing is written then).
    private static func writeDrops(
        _ drops: [(customerId: String, rank: Int, reason: Int32)], claim: ChunkClaim, in db: Database
    ) throws -> Bool {
        let run = try checkClaim(claim, in: db)
        if try Bool.fetchOne(db, sql: "SELECT cancel_requested FROM run WHERE seq = ?", arguments: [run]) == true {
            return true
        }
        let statement = try db.cachedStatement(sql: "INSERT INTO run_drop (run_seq, customer_id, rank, reason) VALUES (?, ?, ?, ?)")
        for drop in drops {
            try statement.execute(arguments: [run, drop.customerId, drop.rank, drop.reason])
        }
        try db.execute(sql: "UPDATE run SET heartbeat_at = ? WHERE seq = ?", arguments: [Date(), run])
        return false
    }

    /// The accepted pairs as the run's results, with the breakdowns, totals, funnel step and tallies.
    private static func writeAllocation(
        run: Int64, allocator: VolumeAllocator, plan: AllocationPlan, offers: [String: Int], channels: [String: Int],
        in db: Database
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO run_result (run_seq, customer_id, rank, offer_id, channel, score)
                SELECT run_seq, customer_id, row_number() OVER (PARTITION BY customer_id ORDER BY rank), offer_id, channel, score
                FROM run_candidate c
                WHERE run_seq = ?1 AND NOT EXISTS (
                    SELECT 1 FROM run_drop d WHERE d.run_seq = ?1 AND d.customer_id = c.customer_id AND d.rank = c.rank)
                ORDER BY customer_id, rank
                """,
            arguments: [run])
        try db.execute(
            sql: "INSERT INTO run_rank_count (run_seq, rank, count) SELECT run_seq, rank, count(*) FROM run_result WHERE run_seq = ? GROUP BY rank",
            arguments: [run])
        try db.execute(
            sql: """
                UPDATE run_customer SET recommendation_count = r.n
                FROM (SELECT customer_id, count(*) AS n FROM run_result WHERE run_seq = ?1 GROUP BY customer_id) r
                WHERE run_customer.run_seq = ?1 AND run_customer.customer_id = r.customer_id
                """,
            arguments: [run])
        let customers = db.changesCount
        for (offerId, count) in offers {
            try db.execute(
                sql: "INSERT INTO run_offer_count (run_seq, offer_id, offer_name, count) VALUES (?, ?, ?, ?)",
                arguments: [run, offerId, plan.offerNames[offerId] ?? offerId, count])
        }
        for (channel, count) in channels {
            try db.execute(sql: "INSERT INTO run_channel_count (run_seq, channel, count) VALUES (?, ?, ?)", arguments: [run, channel, count])
        }
        let step = allocator.funnelStep(index: plan.funnelIndex)
        try db.execute(
            sql: """
                INSERT INTO run_stage_count (run_seq, stage_index, stage_name, kind, received, dropped) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (run_seq, stage_index) DO UPDATE SET received = excluded.received, dropped = excluded.dropped
                """,
            arguments: [run, step.index, step.name, step.kind, step.received, step.dropped])
        try db.execute(
            sql: """
                UPDATE run SET customers_with_recommendations = ?, total_recommendations = ?, constraint_tallies = ?,
                    heartbeat_at = ?
                WHERE seq = ?
                """,
            arguments: [
                customers, allocator.walked - allocator.dropped, try RunRecord.encodeJSON(allocator.tallies), Date(), run,
            ])
    }

    private static func finishAllocationChunk(run: Int64, claim: ChunkClaim, in db: Database) throws {
        try db.execute(
            sql: "UPDATE run_chunk SET state = 'done', worker_id = NULL, lease_until = NULL WHERE run_seq = ? AND chunk = ?",
            arguments: [run, claim.chunk])
    }

    /// Ends a running run, or, for a run with volume constraints still deciding, moves it to allocating: its
    /// unfinished chunks are dropped (their holders' commits are refused), its allocation chunk is queued, and the
    /// end waits in `ending` (a cancellation request is cleared, so that a new one cancels the allocation).
    static func endOrAllocate(_ record: RunRecord, status: RunStatus, message: String, error: RunFailure?, in db: Database) throws {
        guard record.phase == .deciding else {
            try end(record, status: status, message: message, error: error, in: db)
            return
        }
        let run = try runSeq(record.id, in: db)
        try db.execute(
            sql: "UPDATE run_chunk SET state = 'done', worker_id = NULL, lease_until = NULL WHERE run_seq = ? AND state <> 'done'",
            arguments: [run])
        try db.execute(
            sql: """
                INSERT INTO run_chunk (run_seq, chunk, first_customer_id, last_customer_id, size, kind)
                SELECT ?1, coalesce(max(chunk) + 1, 0), '', '', 1, 'allocation' FROM run_chunk WHERE run_seq = ?1
                """,
            arguments: [run])
        let ending = status == .completed ? nil : RunStoreRules.Ending(status: status, message: message, error: error)
        try db.execute(
            sql: "UPDATE run SET phase = 'allocating', ending = ?, cancel_requested = 0, heartbeat_at = ? WHERE seq = ?",
            arguments: [try RunRecord.encodeJSON(ending), Date(), run])
    }

    public func droppedCandidates(runId: String, customerId: String) throws -> [DroppedCandidate] {
        try Self.translatingErrors {
            try pool.read { db in
                let record = try Self.runRecord(id: runId, in: db)
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT d.customer_id, c.rank, c.offer_id, c.channel, c.score, d.reason
                        FROM run_drop d JOIN run_candidate c
                          ON c.run_seq = d.run_seq AND c.customer_id = d.customer_id AND c.rank = d.rank
                        WHERE d.run_seq = ? AND d.customer_id = ? ORDER BY d.rank
                        """,
                    arguments: [try Self.runSeq(runId, in: db), customerId])
                var dropped: [DroppedCandidate] = []
                while let row = try rows.next() { dropped.append(Self.dropped(row, constraints: record.options.constraints)) }
                return dropped
            }
        }
    }

    /// A dropped candidate from a row of (customer id, rank, offer id, channel, score, reason code).
    static func dropped(_ row: Row, constraints: [VolumeConstraint]) -> DroppedCandidate {
        DroppedCandidate(
            rank: row[1], offerId: row[2], channel: row[3], score: row[4],
            reason: VolumeAllocator.reason(row[5], constraints: constraints))
    }
}
