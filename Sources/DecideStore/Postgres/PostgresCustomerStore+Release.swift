import Foundation
import Logging
import PostgresNIO

/// Releasing a run into the interaction history (PostgreSQL): the run row locked for the release.
extension PostgresCustomerStore {
    public func releaseRun(id runId: String) async throws -> RunRecord {
        try await translatingErrors {
            try await transaction { connection in
                let record = try await Self.lockedRun(runId, connection, logger: logger)
                try RunStoreRules.checkReleasable(record)
                let run = try await Self.runSeq(runId, connection, logger: logger)
                try await connection.send(
                    """
                    INSERT INTO interaction (id, customer_id, offer_id, channel, outcome, at, stored_at)
                    SELECT \(runId) || ':' || customer_id || ':' || (row_number() OVER (PARTITION BY customer_id ORDER BY rank))::TEXT,
                        customer_id, offer_id, channel, 'sent', \(record.decidedAt.milliseconds), \(Date().milliseconds)
                    FROM run_result r WHERE r.run_seq = \(run) AND \(unescaped: record.deliveredCondition(alias: "r"))
                    ON CONFLICT (id) DO NOTHING
                    """,
                    logger: logger)
                try await connection.send("UPDATE run SET released_at = \(Date()) WHERE seq = \(run)", logger: logger)
                return try await Self.runRecord(id: runId, connection, logger: logger)
            }
        }
    }
}
