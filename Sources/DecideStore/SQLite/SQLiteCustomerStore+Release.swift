import Foundation
import GRDB

/// Releasing a run into the interaction history (SQLite).
extension SQLiteCustomerStore {
    public func releaseRun(id runId: String) throws -> RunRecord {
        try Self.translatingErrors {
            try pool.write { db in
                let record = try Self.runRecord(id: runId, in: db)
                try RunStoreRules.checkReleasable(record)
                // Each recommendation's rank as readers number it (a constrained run keeps candidate ranks).
                try db.execute(
                    sql: """
                        INSERT INTO interaction (id, customer_id, offer_id, channel, outcome, at, stored_at)
                        SELECT ?2 || ':' || customer_id || ':' || row_number() OVER (PARTITION BY customer_id ORDER BY rank),
                            customer_id, offer_id, channel, 'sent', ?3, ?4
                        FROM run_result r WHERE r.run_seq = ?1 AND \(record.deliveredCondition(alias: "r"))
                        ON CONFLICT (id) DO NOTHING
                        """,
                    arguments: [try Self.runSeq(runId, in: db), runId, record.decidedAt.milliseconds, Date().milliseconds])
                try db.execute(sql: "UPDATE run SET released_at = ? WHERE id = ?", arguments: [Date(), runId])
                return try Self.runRecord(id: runId, in: db)
            }
        }
    }
}
