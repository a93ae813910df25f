import DecideStore
import Foundation

/// Benchmarks of the run store: committing a run's results batch by batch (the hot path of a run), then exporting
/// them, in a temporary directory that is removed afterwards.
struct RunStoreBenchmark {
    /// Commits the results of a run over `customers` in batches of 1,000 (two recommendations per customer on
    /// average, one customer in ten with none) and streams them back.
    static func run(customers: Int) throws -> [BenchmarkFigure] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("decide-run-bench-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteCustomerStore(path: directory.appendingPathComponent("runs.sqlite").path)
        let run = try store.createRun(NewRun(
            name: "bench", flowKey: "bench", flowVersion: "bench", flowSnapshot: "{}", segment: "all",
            options: RunOptions(workers: 1, batchSize: 1000)))
        try store.transition(runId: run.id, to: .running, message: nil, error: nil)
        try store.updateProgress(runId: run.id, processed: 0, total: customers)

        var committing = Duration.zero
        var recommendations = 0
        for start in stride(from: 0, to: customers, by: 1000) {
            let batch = try makeBatch(runId: run.id, customers: start..<min(start + 1000, customers))
            recommendations += batch.offerIds.count
            let started = ContinuousClock.now
            try store.commitBatch(batch)
            committing += ContinuousClock.now - started
        }
        var figures = [
            BenchmarkFigure(name: "commit \(customers) customers' results in batches of 1000",
                            value: Double(customers) / Measure.seconds(committing), unit: "customers/s"),
            BenchmarkFigure(name: "commit \(recommendations) recommendations",
                            value: Double(recommendations) / Measure.seconds(committing), unit: "recommendations/s"),
        ]

        var exported = 0
        let started = ContinuousClock.now
        try store.exportResults(runId: run.id, withDropped: false) { _ in exported += 1 }
        figures.append(BenchmarkFigure(name: "export \(exported) customer results",
                                       value: Double(exported) / Measure.seconds(ContinuousClock.now - started), unit: "customers/s"))
        return figures
    }

    /// The batch of `customers`: customer `n` gets no recommendation when `n % 10 == 0`, four when `n % 10 == 5`,
    /// two otherwise (two on average), among 40 offers on 3 channels.
    private static func makeBatch(runId: String, customers: Range<Int>) throws -> RunBatchCommit {
        var ids: [String] = [], counts: [Int] = [], offers: [String] = [], channels: [String] = [], scores: [Double?] = []
        ids.reserveCapacity(customers.count)
        for number in customers {
            ids.append(String(format: "c%08d", number))
            let count = number % 10 == 0 ? 0 : number % 10 == 5 ? 4 : 2
            counts.append(count)
            for rank in 0..<count {
                offers.append(offerIds[(number + rank * 7) % offerIds.count])
                channels.append(channelNames[(number + rank) % channelNames.count])
                scores.append(Double(count - rank) / 4)
            }
        }
        return try RunBatchCommit(
            runId: runId, customerIds: ids, recommendationCounts: counts, offerIds: offers, channels: channels, scores: scores,
            errors: Array(repeating: nil, count: ids.count), offerNames: offerNames,
            stageCounts: [
                StageCount(index: 0, name: "eligible", kind: "eligibility", received: ids.count * 40, dropped: ids.count * 30),
                StageCount(index: 1, name: "rank", kind: "ranking", received: ids.count * 10, dropped: ids.count * 10 - offers.count),
            ],
            executionTimeMs: 1)
    }

    private static let offerIds = (0..<40).map { "offer-\($0)" }
    private static let offerNames = Dictionary(uniqueKeysWithValues: offerIds.map { ($0, "Offer \($0)") })
    private static let channelNames = ["email", "sms", "app"]
}
