import DecideStore
import DecisionEngine
import Foundation
import RunEngine

/// Volume constraints at scale: a run of `customers` customers with (mostly) five scored candidates each from a
/// twenty-offer flow, under four overlapping caps with `max_offers = 3`, on two workers; the allocation's time (from the last
/// committed batch of pass 1 to the run's end) against pass 1's (from creating the run to its last batch), measured
/// in the same run. The target: allocation ≤ 0.35 × pass 1 for 1,000,000 customers.
enum VolumeBenchmark {
    /// The twenty-offer flow with `max_offers = 3` under an offer cap, a channel cap, a cap on a group of offers and a
    /// total (``TwentyOfferFlow``).
    static func flow() throws -> String {
        try TwentyOfferFlow.source(extra: """
          max_offers = 3,
          constraints = {
            volume { max = 60000, offer = "offer20" },
            volume { max = 900000, channel = "email" },
            volume { max = 250000, offers = { "offer1", "offer2", "offer3" } },
            volume { max = 2200000 },
          },
        """)
    }

    /// Measures one constrained run over a generated audience of `customers`.
    static func run(customers: Int) async throws -> [BenchmarkFigure] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("decide-volume-bench-\(UUID())")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("flows"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try flow().write(to: directory.appendingPathComponent("flows/twenty.lua"), atomically: true, encoding: .utf8)
        let store = try SQLiteCustomerStore(path: directory.appendingPathComponent("volume.sqlite").path)
        _ = try store.importCustomers(from: .generated(count: customers, seed: 1), options: ImportOptions())
        let library = FlowLibrary(directory: directory.appendingPathComponent("flows").path)

        let clock = ContinuousClock()
        let started = clock.now
        let record = try await RunPlanner(library: library, store: store)
            .create(RunRequest(flow: "twenty", segment: "all", workers: 2))
        let lastBatch = LastBatch()
        let ended = try await RunExecutor(store: store).execute(runId: record.id) { _ in lastBatch.mark(clock.now) }
        let finished = clock.now
        guard ended.status == .completed, let passOneEnd = lastBatch.instant else { throw CocoaError(.featureUnsupported) }
        let passOne = Measure.seconds(passOneEnd - started)
        let allocation = Measure.seconds(finished - passOneEnd)
        let pairs = try await store.stageFunnel(runId: record.id).last?.received ?? 0
        return [
            BenchmarkFigure(name: "volume: pass 1, \(customers) customers, \(pairs) candidates", value: passOne, unit: "s"),
            BenchmarkFigure(name: "volume: allocation of \(pairs) pairs", value: allocation, unit: "s"),
            BenchmarkFigure(name: "volume: allocation / pass 1 (target <= 0.35)", value: allocation / passOne, unit: "x"),
        ]
    }

    /// When the last batch of pass 1 was committed (progress reports arrive from the executor's task).
    private final class LastBatch: @unchecked Sendable {
        private let lock = NSLock()
        private var last: ContinuousClock.Instant?

        func mark(_ instant: ContinuousClock.Instant) { lock.withLock { last = instant } }
        var instant: ContinuousClock.Instant? { lock.withLock { last } }
    }
}
