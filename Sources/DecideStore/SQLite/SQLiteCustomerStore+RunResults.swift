import GRDB

/// Reading a run's results: breakdowns, pages of customer results, and the full export.
extension SQLiteCustomerStore {
    public func offerBreakdown(runId: String) throws -> [OfferCount] {
        try breakdown(runId, sql: "SELECT offer_id, offer_name, count FROM run_offer_count WHERE run_seq = ? ORDER BY count DESC, offer_id") {
            OfferCount(offerId: $0["offer_id"], name: $0["offer_name"], count: $0["count"])
        }
    }

    public func channelBreakdown(runId: String) throws -> [ChannelCount] {
        try breakdown(runId, sql: "SELECT channel, count FROM run_channel_count WHERE run_seq = ? ORDER BY count DESC, channel") {
            ChannelCount(channel: $0["channel"], count: $0["count"])
        }
    }

    public func rankBreakdown(runId: String) throws -> [RankCount] {
        try breakdown(runId, sql: "SELECT rank, count FROM run_rank_count WHERE run_seq = ? ORDER BY rank") {
            RankCount(rank: $0["rank"], count: $0["count"])
        }
    }

    public func stageFunnel(runId: String) throws -> [StageCount] {
        try breakdown(
            runId,
            sql: "SELECT stage_index, stage_name, kind, received, dropped FROM run_stage_count WHERE run_seq = ? ORDER BY stage_index"
        ) {
            StageCount(index: $0["stage_index"], name: $0["stage_name"], kind: $0["kind"], received: $0["received"], dropped: $0["dropped"])
        }
    }

    public func results(
        runId: String, customerId: String?, offerId: String?, channel: String?, failedOnly: Bool, limit: Int,
        offset: Int
    ) throws -> (customers: [CustomerResult], total: Int) {
        try RunStoreRules.checkPage(limit: limit, offset: offset)
        let delivered = try run(id: runId).deliveredCondition(alias: "r")
        // The customers selected, as one subquery of customer ids whose shape depends only on which filters are
        // given (so each shape gets its own plan); every value is a bound parameter. Filtering by offer or channel
        // reads the run's own clustered range of recommendations in customer order instead of probing them customer
        // by customer: no secondary index, because one on offer and channel cost half the commit rate of a run
        // (docs/performance.md), while this scan costs ~30 ms per 200,000 customers and stops early for a page.
        var arguments: StatementArguments = []
        let selection: String
        if offerId != nil || channel != nil {
            var conditions = ["r.run_seq = ?", delivered]
            if let offerId {
                conditions.append("r.offer_id = ?")
                arguments += [offerId]
            }
            if let channel {
                conditions.append("r.channel = ?")
                arguments += [channel]
            }
            if let customerId {
                conditions.append("r.customer_id = ?")
                arguments += [customerId]
            }
            if failedOnly {
                conditions.append(
                    "EXISTS (SELECT 1 FROM run_customer c WHERE c.run_seq = r.run_seq AND c.customer_id = r.customer_id AND c.error IS NOT NULL)")
            }
            selection = "SELECT DISTINCT r.customer_id FROM run_result r WHERE \(conditions.joined(separator: " AND "))"
        } else {
            var conditions = ["c.run_seq = ?"]
            if let customerId {
                conditions.append("c.customer_id = ?")
                arguments += [customerId]
            }
            if failedOnly { conditions.append("c.error IS NOT NULL") }
            selection = "SELECT c.customer_id FROM run_customer c WHERE \(conditions.joined(separator: " AND "))"
        }
        return try Self.translatingErrors {
            try pool.read { db in
                let run = try Self.runSeq(runId, in: db)
                let arguments = [run] + arguments
                let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM (\(selection))", arguments: arguments) ?? 0
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT p.customer_id, c.error, r.rank, r.offer_id, r.channel, r.score, NULL
                        FROM (\(selection) ORDER BY 1 LIMIT ? OFFSET ?) p
                        JOIN run_customer c ON c.run_seq = ? AND c.customer_id = p.customer_id
                        LEFT JOIN run_result r ON r.run_seq = ? AND r.customer_id = p.customer_id AND \(delivered)
                        ORDER BY p.customer_id, r.rank
                        """,
                    arguments: arguments + [limit, offset, run, run])
                var customers: [CustomerResult] = []
                try Self.groupResults(rows) { customers.append($0) }
                return (customers, total)
            }
        }
    }

    public func exportResults(runId: String, withDropped: Bool, _ body: (CustomerResult) throws -> Void) throws {
        try Self.translatingErrors {
            try pool.read { db in
                let record = try Self.runRecord(id: runId, in: db)
                let dropped = withDropped && record.isAllocated
                let rows = try Row.fetchCursor(
                    db,
                    sql: dropped
                        ? """
                            SELECT c.customer_id, c.error, r.rank, r.offer_id, r.channel, r.score, d.reason
                            FROM run_customer c
                            LEFT JOIN run_result r ON r.run_seq = c.run_seq AND r.customer_id = c.customer_id
                            LEFT JOIN run_drop d ON d.run_seq = r.run_seq AND d.customer_id = r.customer_id AND d.rank = r.rank
                            WHERE c.run_seq = ?
                            ORDER BY c.customer_id, r.rank
                            """
                        : """
                            SELECT c.customer_id, c.error, r.rank, r.offer_id, r.channel, r.score, NULL
                            FROM run_customer c
                            LEFT JOIN run_result r ON r.run_seq = c.run_seq AND r.customer_id = c.customer_id
                                AND \(record.deliveredCondition(alias: "r"))
                            WHERE c.run_seq = ?
                            ORDER BY c.customer_id, r.rank
                            """,
                    arguments: [try Self.runSeq(runId, in: db)])
                try Self.groupResults(rows, constraints: dropped ? record.options.constraints : nil, body)
            }
        }
    }

    /// Rows of (customer id, error, rank, offer id, channel, score, drop reason) in customer then rank order, one row
    /// per recommendation or dropped candidate and a row with a NULL rank for a customer without any, as one result
    /// per customer. A customer's recommendations are numbered 1..k in rank order (a run with volume constraints
    /// keeps candidate ranks, with gaps where candidates were dropped). With `constraints`, each result lists its
    /// dropped candidates (none is an empty list).
    private static func groupResults(
        _ rows: RowCursor, constraints: [VolumeConstraint]? = nil, _ body: (CustomerResult) throws -> Void
    ) throws {
        var current: CustomerResult?
        while let row = try rows.next() {
            let customerId: String = row[0]
            if current?.customerId != customerId {
                if let finished = current { try body(finished) }
                current = CustomerResult(
                    customerId: customerId, recommendations: [], error: row[1], dropped: constraints.map { _ in [] })
            }
            guard (row[2] as Int?) != nil else { continue }
            if let constraints, (row[6] as Int32?) != nil {
                current?.dropped?.append(dropped(row, constraints: constraints))
            } else if let count = current?.recommendations.count {
                current?.recommendations.append(Recommendation(rank: count + 1, offerId: row[3], channel: row[4], score: row[5]))
            }
        }
        if let finished = current { try body(finished) }
    }

    /// The rows of a breakdown query whose one parameter is the run's key.
    private func breakdown<T>(_ runId: String, sql: String, _ make: (Row) -> T) throws -> [T] {
        try Self.translatingErrors {
            try pool.read { db in
                return try Row.fetchAll(db, sql: sql, arguments: [try Self.runSeq(runId, in: db)]).map(make)
            }
        }
    }
}

