import DecideStore
import DecisionEngine
import Foundation
import RunEngine

/// Runs end to end: the cross-sell example flow over a generated audience with every result stored (segment read
/// to last commit), on one worker and on two, against the same flow's pure-Lua ceiling measured in this run, and
/// peak memory for 100,000 customers against 1,000,000.
enum RunBenchmark {
    /// Runs the measurements for an audience of `customers` (and a tenth of it for the memory comparison).
    static func run(customers: Int, flows: String) async throws -> [BenchmarkFigure] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("decide-run-bench-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let library = FlowLibrary(directory: flows)
        let small = customers / 10
        let smallRate = try await endToEnd(store: try audience(small, in: directory, name: "small"), library: library, workers: 2)
        let smallPeak = Measure.peakResidentMiB() ?? 0
        let store = try audience(customers, in: directory, name: "large")
        let one = try await endToEnd(store: store, library: library, workers: 1)
        let two = try await endToEnd(store: store, library: library, workers: 2)
        let largePeak = Measure.peakResidentMiB() ?? 0
        let ceiling = try ceiling(store: store, library: library, customers: small)
        return [
            BenchmarkFigure(name: "run cross_sell, pure-Lua ceiling (metered, in memory)", value: ceiling, unit: "customers/s"),
            BenchmarkFigure(name: "run cross_sell end to end, 1 worker, \(customers)", value: one, unit: "customers/s"),
            BenchmarkFigure(name: "run cross_sell end to end, 2 workers, \(customers)", value: two, unit: "customers/s"),
            BenchmarkFigure(name: "run cross_sell end to end, 2 workers, \(small)", value: smallRate, unit: "customers/s"),
            BenchmarkFigure(name: "run, 1 worker / ceiling (target >= 0.8)", value: one / ceiling, unit: "x"),
            BenchmarkFigure(name: "run, 2 workers / ceiling (target >= 1.2)", value: two / ceiling, unit: "x"),
            BenchmarkFigure(name: "peak memory after the \(small)-customer run", value: smallPeak, unit: "MiB"),
            BenchmarkFigure(name: "peak memory after the \(customers)-customer runs", value: largePeak, unit: "MiB"),
            BenchmarkFigure(name: "peak memory \(customers) / \(small) (target <= 1.3)", value: largePeak / smallPeak, unit: "x"),
        ]
    }

    private static func audience(_ count: Int, in directory: URL, name: String) throws -> SQLiteCustomerStore {
        let store = try SQLiteCustomerStore(path: directory.appendingPathComponent("\(name).sqlite").path)
        _ = try store.importCustomers(from: .generated(count: count, seed: 1), options: ImportOptions())
        return store
    }

    /// Customers per second from creating the run to its last commit.
    private static func endToEnd(store: SQLiteCustomerStore, library: FlowLibrary, workers: Int) async throws -> Double {
        var processed = 0
        let seconds = try await Measure.seconds {
            let record = try RunPlanner(library: library, store: store)
                .create(RunRequest(flow: "cross_sell", segment: "all", workers: workers))
            processed = try await RunExecutor(store: store).execute(runId: record.id).summary.totalCustomers
        }
        return Double(processed) / seconds
    }

    /// The same flow's decision loop written entirely in Lua inside one metered state, customers already in memory.
    private static func ceiling(store: SQLiteCustomerStore, library: FlowLibrary, customers: Int) throws -> Double {
        var cursor = try store.customerBatches(.named("all"), batchSize: customers)
        guard let batch = try cursor.next() else { return 0 }
        let worker = try FlowWorker()
        let flow = try worker.snapshot(of: try library.source(of: "cross_sell"))
        return try worker.pureLuaCeiling(batch, flow: flow, repetitions: 1, meteredLikeFlows: true)
    }
}
