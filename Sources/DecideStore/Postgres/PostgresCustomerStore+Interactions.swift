import Foundation
import Logging
import PostgresNIO

/// Interaction history in the PostgreSQL store: inserts in batches with array binds, a repeated id skipped.
extension PostgresCustomerStore: InteractionStore {
    public func importInteractions(from source: ImportSource, onRejected: (@Sendable (ImportError) -> Void)?) async throws -> InteractionImportSummary {
        try await translatingErrors {
            var rows = try InteractionRows(source.makeReader())
            return try await transaction { connection in
                var summary = InteractionImportSummary()
                var batch: [Interaction] = []
                let storedAt = Date().milliseconds
                while true {
                    let next = try rows.next(onRejected: onRejected, rejected: &summary.rejected)
                    if let next { batch.append(next) }
                    if batch.count >= 5000 || (next == nil && !batch.isEmpty) {
                        try await self.insert(batch, storedAt: { _ in storedAt }, into: &summary, connection)
                        batch.removeAll(keepingCapacity: true)
                    }
                    if next == nil { break }
                }
                return summary
            }
        }
    }

    public func addInteractions(_ interactions: [Interaction]) async throws -> InteractionImportSummary {
        try await translatingErrors {
            try await transaction { connection in
                var summary = InteractionImportSummary()
                let storedAt = Date().milliseconds
                try await self.insert(interactions, storedAt: { _ in storedAt }, into: &summary, connection)
                return summary
            }
        }
    }

    public func restoreInteractions(_ interactions: [Interaction]) async throws -> InteractionImportSummary {
        try await translatingErrors {
            try await transaction { connection in
                var summary = InteractionImportSummary()
                let now = Date().milliseconds
                try await self.insert(interactions, storedAt: { $0.storedAt?.milliseconds ?? now }, into: &summary, connection)
                return summary
            }
        }
    }

    public func exportInteractions(_ body: (Interaction) throws -> Void) async throws {
        try await translatingErrors {
            try await client.withConnection { connection in
                for try await row in try await connection.send(
                    "SELECT id, customer_id, offer_id, channel, outcome, at, stored_at FROM interaction ORDER BY seq", logger: logger
                ).decode((String?, String, String, String?, String, Int64, Int64).self) {
                    try body(Self.interaction(row))
                }
            }
        }
    }

    /// An interaction from its row (id, customer_id, offer_id, channel, outcome, at, stored_at).
    private static func interaction(_ row: (String?, String, String, String?, String, Int64, Int64)) -> Interaction {
        let (id, customer, offer, channel, outcome, at, storedAt) = row
        return Interaction(
            id: id, customerId: customer, offerId: offer, channel: channel, outcome: outcome,
            at: Date(milliseconds: at), storedAt: Date(milliseconds: storedAt))
    }

    /// Inserts a batch, each with the storage time `storedAt` gives it; an id stored already (or earlier in the
    /// batch) is skipped.
    private func insert(
        _ batch: [Interaction], storedAt: (Interaction) -> Int64, into summary: inout InteractionImportSummary,
        _ connection: PostgresConnection
    ) async throws {
        guard !batch.isEmpty else { return }
        // No id, channel is ever empty, so an empty string stands for none in the arrays.
        let rows = try await connection.send(
            """
            INSERT INTO interaction (id, customer_id, offer_id, channel, outcome, at, stored_at)
            SELECT NULLIF(id, ''), customer, offer, NULLIF(channel, ''), outcome, at, stored
            FROM unnest(\(batch.map { $0.id ?? "" })::TEXT[], \(batch.map(\.customerId))::TEXT[], \(batch.map(\.offerId))::TEXT[],
                        \(batch.map { $0.channel ?? "" })::TEXT[], \(batch.map(\.outcome))::TEXT[],
                        \(batch.map { $0.at.milliseconds })::BIGINT[], \(batch.map(storedAt))::BIGINT[])
                 WITH ORDINALITY AS u (id, customer, offer, channel, outcome, at, stored, n)
            ORDER BY n
            ON CONFLICT (id) DO NOTHING
            RETURNING 1
            """,
            logger: logger)
        var stored = 0
        for try await _ in rows { stored += 1 }
        summary.stored += stored
        summary.skipped += batch.count - stored
    }

    public func interactions(customerId: String, limit: Int, offset: Int) async throws -> (interactions: [Interaction], total: Int) {
        try RunStoreRules.checkPage(limit: limit, offset: offset)
        return try await translatingErrors {
            try await client.withConnection { connection in
                var total = 0
                for try await count in try await connection.send(
                    "SELECT count(*) FROM interaction WHERE customer_id = \(customerId)", logger: logger
                ).decode(Int64.self) {
                    total = Int(count)
                }
                var interactions: [Interaction] = []
                for try await row in try await connection.send(
                    """
                    SELECT id, customer_id, offer_id, channel, outcome, at, stored_at FROM interaction
                    WHERE customer_id = \(customerId) ORDER BY at DESC, seq DESC LIMIT \(limit) OFFSET \(offset)
                    """,
                    logger: logger
                ).decode((String?, String, String, String?, String, Int64, Int64).self) {
                    interactions.append(Self.interaction(row))
                }
                return (interactions, total)
            }
        }
    }

    public func countInteractions(_ filter: InteractionFilter) async throws -> Int {
        var sql = PostgresSQL("SELECT count(*) FROM interaction WHERE TRUE")
        for (column, value) in [("customer_id", filter.customerId), ("offer_id", filter.offerId), ("channel", filter.channel), ("outcome", filter.outcome)] {
            guard let value else { continue }
            sql.append(" AND \(column) = \(sql.bind(.text(value)))")
        }
        return try await translatingErrors {
            var count = 0
            for value in try await client.rows(sql.query, logger: logger).decode(Int64.self) { count = Int(value) }
            return count
        }
    }

    public func deleteInteractions(customerId: String) async throws -> Int {
        try await translatingErrors {
            let counted = try await client.rows(
                "WITH deleted AS (DELETE FROM interaction WHERE customer_id = \(customerId) RETURNING 1) SELECT count(*) FROM deleted",
                logger: logger)
            return Int(try counted.decode(Int64.self).first ?? Int64(0))
        }
    }

    public func history(of customerIds: [String], window: HistoryWindow) async throws -> InteractionHistory {
        guard !customerIds.isEmpty else { return InteractionHistory() }
        let before = window.before.milliseconds, since = window.since ?? Int64.min
        let storedThrough = window.storedThrough?.milliseconds ?? Int64.max
        var sql = PostgresSQL()
        let (ids, end, start, stored) = (sql.bind(customerIds), sql.bind(before), sql.bind(since), sql.bind(storedThrough))
        sql.append("""
            SELECT customer_id, offer_id, channel, outcome, at FROM interaction
            WHERE customer_id = ANY(\(ids)::TEXT[]) AND at < \(end) AND at >= \(start) AND stored_at <= \(stored)
            """)
        if let outcomes = window.scope.outcomes {
            let list = sql.bind(outcomes.sorted())
            sql.append(" AND outcome = ANY(\(list)::TEXT[])")
        }
        sql.append(" ORDER BY customer_id DESC, at DESC")
        return try await translatingErrors {
            // Streamed, not collected: `append` keeps at most the newest 1,000 of a customer's interactions, so the
            // batch's memory stays bounded however many the store holds.
            try await client.withConnection { connection in
                var history = InteractionHistory()
                let rows = try await connection.send(sql.query, logger: logger)
                for try await (customer, offer, channel, outcome, at) in rows.decode((String, String, String?, String, Int64).self) {
                    history.append(customerId: customer, offerId: offer, channel: channel, outcome: outcome, at: at)
                }
                return history
            }
        }
    }
}
