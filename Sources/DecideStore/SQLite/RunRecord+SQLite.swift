import GRDB

/// Reading runs from the `run` table.
extension RunRecord {
    /// The columns `init(row:)` reads, in order, for a `SELECT` from `run`.
    static let sqliteColumns = """
        id, name, flow_key, flow_version, flow_snapshot, segment, filter, workers, batch_size, seed, max_errors, \
        status, created_at, started_at, finished_at, error_message, error_file, error_line, error_customer_id, \
        interrupted, partial, cancel_requested, processed, total, last_customer_id, heartbeat_at, total_customers, \
        customers_with_recommendations, total_recommendations, execution_time_ms, errors_recorded, memory_limit_mib, \
        instruction_budget, deadline_seconds, chunk_size, constraints, phase, constraint_tallies, decided_at, released_at
        """

    /// A run from a row of `sqliteColumns`.
    init(row: Row) throws {
        let status: String = row["status"]
        guard let runStatus = RunStatus(rawValue: status) else {
            throw DatabaseError(message: "run \(row["id"] as String) has an unknown status \"\(status)\"")
        }
        let seed: Int64? = row["seed"]
        let errorMessage: String? = row["error_message"]
        self.init(
            id: row["id"], name: row["name"], flowKey: row["flow_key"], flowVersion: row["flow_version"],
            flowSnapshot: row["flow_snapshot"], segment: row["segment"], filter: row["filter"],
            options: RunOptions(
                workers: row["workers"], batchSize: row["batch_size"], seed: seed.map { UInt64(bitPattern: $0) },
                maxErrors: row["max_errors"],
                limits: RunLimits(
                    memoryLimitMiB: row["memory_limit_mib"], instructionBudget: row["instruction_budget"],
                    deadlineSeconds: row["deadline_seconds"]),
                chunkSize: row["chunk_size"],
                constraints: try RunRecord.decodeJSON([VolumeConstraint].self, row["constraints"]) ?? []),
            status: runStatus, createdAt: row["created_at"], startedAt: row["started_at"],
            finishedAt: row["finished_at"],
            error: errorMessage.map {
                RunFailure(message: $0, file: row["error_file"], line: row["error_line"], customerId: row["error_customer_id"])
            },
            interrupted: row["interrupted"], partial: row["partial"], cancelRequested: row["cancel_requested"],
            progress: RunProgress(processed: row["processed"], total: row["total"], lastCustomerId: row["last_customer_id"]),
            heartbeatAt: row["heartbeat_at"],
            summary: RunSummary(
                totalCustomers: row["total_customers"], customersWithRecommendations: row["customers_with_recommendations"],
                totalRecommendations: row["total_recommendations"], executionTimeMs: row["execution_time_ms"],
                errorsRecorded: row["errors_recorded"]),
            phase: (row["phase"] as String?).flatMap(RunPhase.init(rawValue:)),
            constraintTallies: try RunRecord.decodeJSON([ConstraintTally].self, row["constraint_tallies"]),
            decidedAt: row["decided_at"], releasedAt: row["released_at"])
    }
}
