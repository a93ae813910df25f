import Foundation
import GRDB

/// Runs with volume constraints: moving a run from deciding to allocating, the allocation itself, and reading the
/// candidates it dropped.
extension SQLiteCustomerStore {
    public func allocate(_ claim: ChunkClaim, plan: AllocationPlan) throws -> RunRecord {
        try Self.translatingErrors {
            let (run, record) = try pool.write { db in
                let run = try Self.checkClaim(claim, in: db)
                // An earlier attempt's drops.
                try db.execute(sql: "DELETE FROM run_drop WHERE run_seq = ?", arguments: [run])
                return (run, try Self.runRecord(id: claim.runId, in: db))
            }
            let walk = AllocationWalk(constraints: record.options.constraints, maxOffers: plan.maxOffers)
            // 1. The pairs in key order, from one snapshot; sorted into allocation order and decided by the walk.
            try pool.read { db in
                let rows = RawStatement(
                    try db.makeStatement(sql: """
                        SELECT customer_id, rank, offer_id, channel, score FROM run_result WHERE run_seq = ?
                        ORDER BY customer_id, rank
                        """),
                    in: db)
                rows.bind(.integer(run), at: 1)
                while try rows.step() {
                    try walk.add(
                        customerId: rows.text(0), rank: Int(rows.integer(1)), offerId: rows.text(2), channel: rows.text(3),
                        score: rows.real(4))
                }
            }
            var cancelled = try walk.finish(checkEvery: Self.checkEvery) {
                try pool.write { try Self.stillAllocating(claim, in: $0) }
            }
            // 2. The dropped pairs recorded with their reason in key order (appends), a transaction (under the claim)
            // for every `checkEvery` of them.
            var next: Int? = 0
            while !cancelled, let start = next {
                var drops: [(customerId: String, rank: Int, reason: Int32)] = []
                next = walk.forEachDrop(from: start, limit: Self.checkEvery) { drops.append(($0, $1, $2)) }
                cancelled = try pool.write { db in
                    if try Self.stillAllocating(claim, in: db) { return true }
                    try SQLiteRunBatchWriter(db: db).insertRows(
                        drops.count, into: "run_drop", columns: ["customer_id", "rank", "reason"], run: run
                    ) { statement, parameter, index in
                        statement.bind(.text(drops[index].customerId), at: parameter)
                        statement.bind(.integer(Int64(drops[index].rank)), at: parameter + 1)
                        statement.bind(.integer(Int64(drops[index].reason)), at: parameter + 2)
                    }
                    return false
                }
            }
            // 3. The breakdowns, totals, funnel step and tallies, and the run's end, in one transaction.
            return try pool.write { db in
                _ = try Self.checkClaim(claim, in: db)
                try db.execute(
                    sql: "UPDATE run_chunk SET state = 'done', worker_id = NULL, lease_until = NULL WHERE run_seq = ? AND chunk = ?",
                    arguments: [run, claim.chunk])
                // Another process may have ended the run meanwhile (a cancellation seen while nobody held this chunk).
                let current = try Self.runRecord(id: claim.runId, in: db)
                guard current.status == .running else { return current }
                if cancelled {
                    try Self.end(record, status: .cancelled, message: "cancelled on request while allocating", error: nil, in: db)
                    return try Self.runRecord(id: claim.runId, in: db)
                }
                try Self.writeTotals(run: run, walk: walk, plan: plan, in: db)
                let ending = try RunRecord.decodeJSON(
                    RunStoreRules.Ending.self, try String.fetchOne(db, sql: "SELECT ending FROM run WHERE seq = ?", arguments: [run]))
                try Self.end(
                    try Self.runRecord(id: claim.runId, in: db), status: ending?.status ?? .completed,
                    message: ending?.message ?? "completed", error: ending?.error, in: db)
                return try Self.runRecord(id: claim.runId, in: db)
            }
        }
    }

    /// How many pairs pass between checks of the claim and of a cancellation request (and between commits of marks).
    static let checkEvery = 100_000

    /// Checks the claim and renews the run's heartbeat; `true` when a cancellation was asked for.
    ///
    /// - Throws: `StoreError` `leaseLost` when the claim is no longer current.
    private static func stillAllocating(_ claim: ChunkClaim, in db: Database) throws -> Bool {
        let run = try checkClaim(claim, in: db)
        try db.execute(sql: "UPDATE run SET heartbeat_at = ? WHERE seq = ?", arguments: [Date(), run])
        return try Bool.fetchOne(db, sql: "SELECT cancel_requested FROM run WHERE seq = ?", arguments: [run]) == true
    }

    /// The breakdowns, totals, funnel step and tallies of an allocated run.
    private static func writeTotals(run: Int64, walk: AllocationWalk, plan: AllocationPlan, in db: Database) throws {
        let allocator = walk.allocator
        for rank in allocator.rankCounts {
            try db.execute(sql: "INSERT INTO run_rank_count (run_seq, rank, count) VALUES (?, ?, ?)", arguments: [run, rank.rank, rank.count])
        }
        for (offerId, count) in walk.offers {
            try db.execute(
                sql: "INSERT INTO run_offer_count (run_seq, offer_id, offer_name, count) VALUES (?, ?, ?, ?)",
                arguments: [run, offerId, plan.offerNames[offerId] ?? offerId, count])
        }
        for (channel, count) in walk.channels {
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
                allocator.customersWithRecommendations, allocator.walked - allocator.dropped,
                try RunRecord.encodeJSON(allocator.tallies), Date(), run,
            ])
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
                        SELECT r.customer_id, NULL, r.rank, r.offer_id, r.channel, r.score, d.reason
                        FROM run_drop d JOIN run_result r ON r.run_seq = d.run_seq AND r.customer_id = d.customer_id AND r.rank = d.rank
                        WHERE d.run_seq = ? AND d.customer_id = ? ORDER BY d.rank
                        """,
                    arguments: [try Self.runSeq(runId, in: db), customerId])
                var dropped: [DroppedCandidate] = []
                while let row = try rows.next() { dropped.append(Self.dropped(row, constraints: record.options.constraints)) }
                return dropped
            }
        }
    }

    /// A dropped candidate from a row whose columns 2 to 6 are (rank, offer id, channel, score, reason code).
    static func dropped(_ row: Row, constraints: [VolumeConstraint]) -> DroppedCandidate {
        DroppedCandidate(
            rank: row[2], offerId: row[3], channel: row[4], score: row[5] ?? 0,
            reason: VolumeAllocator.reason(row[6], constraints: constraints))
    }
}
