import DecideStore

/// Runs and batches for the run store tests.
extension TemporaryStore {
    /// A pending run over the segment `all`.
    func createRun(name: String = "test run") async throws -> RunRecord {
        try await store.createRun(NewRun(
            name: name, flowKey: "retention", flowVersion: "sha256:abc", flowSnapshot: #"{"key":"retention"}"#,
            segment: "all", options: RunOptions(workers: 2, batchSize: 100, seed: 7, maxErrors: 5)))
    }

    /// A run moved to running with a total of `total` customers.
    func startRun(total: Int = 0) async throws -> RunRecord {
        let run = try await createRun()
        try await store.transition(runId: run.id, to: .running, message: nil, error: nil)
        try await store.updateProgress(runId: run.id, processed: 0, total: total)
        return try await store.run(id: run.id)
    }
}

/// One customer of a test batch: its recommendations as (offer, channel, score) in rank order, or an error.
struct TestCustomer {
    var id: String
    var recommendations: [(offer: String, channel: String, score: Double?)] = []
    var error: String?
}

extension RunBatchCommit {
    /// A batch of `customers` for `runId`; offer `x` is named `Offer x`, and the stages are given as
    /// (received, dropped) per stage `s0`, `s1`...
    static func test(_ runId: String, _ customers: [TestCustomer], stages: [(Int, Int)] = []) throws -> RunBatchCommit {
        let recommendations = customers.flatMap(\.recommendations)
        return try RunBatchCommit(
            runId: runId, customerIds: customers.map(\.id), recommendationCounts: customers.map(\.recommendations.count),
            offerIds: recommendations.map(\.offer), channels: recommendations.map(\.channel),
            scores: recommendations.map(\.score), errors: customers.map(\.error),
            offerNames: Dictionary(uniqueKeysWithValues: Set(recommendations.map(\.offer)).map { ($0, "Offer \($0)") }),
            stageCounts: stages.enumerated().map {
                StageCount(index: $0.offset, name: "s\($0.offset)", kind: $0.offset == 0 ? "eligibility" : "ranking",
                           received: $0.element.0, dropped: $0.element.1)
            },
            executionTimeMs: 3)
    }
}
