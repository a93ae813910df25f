import DecideStore

extension RunExecutor {
    /// Cancels a run from any process: a pending run is cancelled at once; a running one is asked to stop, and
    /// the process executing it does so after its current batch, keeping the partial results.
    ///
    /// - Returns: The run after the request.
    /// - Throws: ``RunError`` with code ``RunError/Code/wrongState`` when the run has already finished.
    @discardableResult
    public func cancel(runId: String) async throws -> RunRecord {
        let record = try await store.run(id: runId)
        switch record.status {
        case .pending:
            return try await store.transition(runId: runId, to: .cancelled, message: "cancelled before it started", error: nil)
        case .running:
            try await store.requestCancel(runId: runId)
            return try await store.run(id: runId)
        default:
            throw RunError(.wrongState, "run \(runId) has already finished (\(record.status.rawValue))")
        }
    }
}
