import Foundation
import GRDB

/// Interaction history in the SQLite store.
extension SQLiteCustomerStore: InteractionStore {
    public func importInteractions(from source: ImportSource, onRejected: (@Sendable (ImportError) -> Void)?) throws -> InteractionImportSummary {
        try Self.translatingErrors {
            try pool.write { db in
                var rows = try InteractionRows(source.makeReader())
                var summary = InteractionImportSummary()
                let storedAt = Date().milliseconds
                while let interaction = try rows.next(onRejected: onRejected, rejected: &summary.rejected) {
                    try Self.insert(interaction, storedAt: storedAt, into: &summary, db)
                }
                return summary
            }
        }
    }

    public func addInteractions(_ interactions: [Interaction]) throws -> InteractionImportSummary {
        try Self.translatingErrors {
            try pool.write { db in
                var summary = InteractionImportSummary()
                let storedAt = Date().milliseconds
                for interaction in interactions { try Self.insert(interaction, storedAt: storedAt, into: &summary, db) }
                return summary
            }
        }
    }

    private static func insert(_ interaction: Interaction, storedAt: Int64, into summary: inout InteractionImportSummary, _ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO interaction (id, customer_id, offer_id, channel, outcome, at, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO NOTHING
            """
        ).execute(arguments: [
            interaction.id, interaction.customerId, interaction.offerId, interaction.channel, interaction.outcome,
            interaction.at.milliseconds, storedAt,
        ])
        if db.changesCount == 1 { summary.stored += 1 } else { summary.skipped += 1 }
    }

    public func restoreInteractions(_ interactions: [Interaction]) throws -> InteractionImportSummary {
        try Self.translatingErrors {
            try pool.write { db in
                var summary = InteractionImportSummary()
                let now = Date().milliseconds
                for interaction in interactions {
                    try Self.insert(interaction, storedAt: interaction.storedAt?.milliseconds ?? now, into: &summary, db)
                }
                return summary
            }
        }
    }

    public func exportInteractions(_ body: (Interaction) throws -> Void) throws {
        try Self.translatingErrors {
            try pool.read { db in
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT id, customer_id, offer_id, channel, outcome, at, stored_at FROM interaction ORDER BY seq")
                while let row = try rows.next() { try body(Self.interaction(row)) }
            }
        }
    }

    /// An interaction from its row (id, customer_id, offer_id, channel, outcome, at, stored_at).
    private static func interaction(_ row: Row) -> Interaction {
        Interaction(
            id: row["id"], customerId: row["customer_id"], offerId: row["offer_id"], channel: row["channel"],
            outcome: row["outcome"], at: Date(milliseconds: row["at"]), storedAt: Date(milliseconds: row["stored_at"]))
    }

    public func interactions(customerId: String, limit: Int, offset: Int) throws -> (interactions: [Interaction], total: Int) {
        try RunStoreRules.checkPage(limit: limit, offset: offset)
        return try Self.translatingErrors {
            try pool.read { db in
                let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM interaction WHERE customer_id = ?", arguments: [customerId]) ?? 0
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT id, customer_id, offer_id, channel, outcome, at, stored_at FROM interaction
                        WHERE customer_id = ? ORDER BY at DESC, seq DESC LIMIT ? OFFSET ?
                        """,
                    arguments: [customerId, limit, offset])
                return (rows.map(Self.interaction), total)
            }
        }
    }

    public func countInteractions(_ filter: InteractionFilter) throws -> Int {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        for (column, value) in [("customer_id", filter.customerId), ("offer_id", filter.offerId), ("channel", filter.channel), ("outcome", filter.outcome)] {
            guard let value else { continue }
            conditions.append("\(column) = ?")
            arguments += [value]
        }
        let sql = "SELECT count(*) FROM interaction" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
        return try Self.translatingErrors { try pool.read { try Int.fetchOne($0, sql: sql, arguments: arguments) ?? 0 } }
    }

    public func deleteInteractions(customerId: String) throws -> Int {
        try Self.translatingErrors {
            try pool.write { db in
                try db.execute(sql: "DELETE FROM interaction WHERE customer_id = ?", arguments: [customerId])
                return db.changesCount
            }
        }
    }

    public func history(of customerIds: [String], window: HistoryWindow) throws -> InteractionHistory {
        guard !customerIds.isEmpty else { return InteractionHistory() }
        let ids = String(decoding: try JSONEncoder().encode(customerIds), as: UTF8.self)
        let outcomes = try window.scope.outcomes.map { String(decoding: try JSONEncoder().encode($0.sorted()), as: UTF8.self) }
        return try Self.translatingErrors {
            try pool.read { db in
                var builder = InteractionHistoryBuilder()
                // Descending on both columns, so the index serves the order with no sort.
                let rows = RawStatement(
                    try db.cachedStatement(sql: """
                        SELECT customer_id, offer_id, channel, outcome, at FROM interaction
                        WHERE customer_id IN (SELECT value FROM json_each(?)) AND at < ? AND at >= ? AND stored_at <= ?
                        \(outcomes == nil ? "" : "AND outcome IN (SELECT value FROM json_each(?))")
                        ORDER BY customer_id DESC, at DESC
                        """),
                    in: db)
                defer { rows.reset() }
                rows.bind(
                    [.text(ids), .integer(window.before.milliseconds), .integer(window.since ?? Int64.min),
                     .integer(window.storedThrough?.milliseconds ?? Int64.max)] + (outcomes.map { [.text($0)] } ?? []))
                while try rows.step() {
                    guard let customer = rows.bytes(0), let offer = rows.bytes(1), let outcome = rows.bytes(3) else { continue }
                    builder.append(customer: customer, offer: offer, channel: rows.bytes(2), outcome: outcome, at: rows.integer(4))
                }
                return builder.history
            }
        }
    }
}
