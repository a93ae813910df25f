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
        _ = try audience(small, in: directory, name: "small")
        let store = try audience(customers, in: directory, name: "large")
        let (smallRate, smallPeak) = try peakOfOneRun(database: directory.appendingPathComponent("small.sqlite").path, flows: flows)
        let (_, largePeak) = try peakOfOneRun(database: directory.appendingPathComponent("large.sqlite").path, flows: flows)
        let one = try await endToEnd(store: store, library: library, workers: 1)
        let two = try await endToEnd(store: store, library: library, workers: 2)
        let ceiling = try await ceiling(store: store, library: library, customers: small)
        return [
            BenchmarkFigure(name: "run cross_sell, pure-Lua ceiling (unmetered, in memory)", value: ceiling, unit: "customers/s"),
            BenchmarkFigure(name: "run cross_sell end to end, 1 worker, \(customers)", value: one, unit: "customers/s"),
            BenchmarkFigure(name: "run cross_sell end to end, 2 workers, \(customers)", value: two, unit: "customers/s"),
            BenchmarkFigure(name: "run cross_sell end to end, 2 workers, \(small)", value: smallRate, unit: "customers/s"),
            BenchmarkFigure(name: "run, 1 worker / ceiling (target >= 0.8)", value: one / ceiling, unit: "x"),
            BenchmarkFigure(name: "run, 2 workers / ceiling (target >= 1.2)", value: two / ceiling, unit: "x"),
            BenchmarkFigure(name: "peak memory of a \(small)-customer run (own process)", value: smallPeak, unit: "MiB"),
            BenchmarkFigure(name: "peak memory of a \(customers)-customer run (own process)", value: largePeak, unit: "MiB"),
            BenchmarkFigure(name: "peak memory \(customers) / \(small) (target <= 1.3)", value: largePeak / smallPeak, unit: "x"),
        ]
    }

    /// Runs `decide-bench run-peak DATABASE FLOWS` as a child process, so each audience size gets a process of its
    /// own: its customers per second and its peak resident memory.
    private static func peakOfOneRun(database: String, flows: String) throws -> (rate: Double, peak: Double) {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["run-peak", database, flows]
        let output = Pipe()
        child.standardOutput = output
        try child.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        let numbers = String(decoding: data, as: UTF8.self).split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard numbers.count == 2 else { throw CocoaError(.executableLoad) }
        return (numbers[0], numbers[1])
    }

    /// The child's side of ``peakOfOneRun(database:flows:)``: one 2-worker run of cross_sell over every customer of
    /// the database; prints customers per second and peak resident MiB.
    static func runForPeak(database: String, flows: String) async throws {
        let rate = try await endToEnd(store: try SQLiteCustomerStore(path: database), library: FlowLibrary(directory: flows), workers: 2)
        print(rate, Measure.peakResidentMiB() ?? 0)
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
            let record = try await RunPlanner(library: library, store: store)
                .create(RunRequest(flow: "cross_sell", segment: "all", workers: workers))
            processed = try await RunExecutor(store: store).execute(runId: record.id).summary.totalCustomers
        }
        return Double(processed) / seconds
    }

    /// The same flow's decision loop written entirely in Lua inside one state, unmetered as a flow's calls run,
    /// customers already in memory:
    /// the audience's first 1,000 customers, decided over and over (`customers` decisions in all), so the Lua heap
    /// stays as small and warm as it can be.
    private static func ceiling(store: SQLiteCustomerStore, library: FlowLibrary, customers: Int) async throws -> Double {
        var cursor = try store.customerBatches(.named("all"), batchSize: 1000)
        guard let batch = try await cursor.next() else { return 0 }
        let worker = try FlowWorker()
        let flow = try worker.snapshot(of: try library.source(of: "cross_sell"))
        return try worker.pureLuaCeiling(batch, flow: flow, repetitions: max(1, customers / batch.customers.count),
                                         metered: false)
    }
}
