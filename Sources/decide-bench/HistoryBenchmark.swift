import DecideStore
import DecisionEngine
import Foundation
import RunEngine

/// Contact policies at scale: `customers` customers with ten interactions each over the last 90 days (60% `sent`,
/// the rest spread over `impression`, `clicked`, `accepted` and `declined`, on random offers and channels, stored in
/// time order as a real history accumulates), and the twenty-offer flow run end to end on two workers with a
/// `cooldown` and a `cap`, against the same flow without them, in the same run. The issue's target: with ≥ 0.8 ×
/// without, for 1,000,000 customers and 10,000,000 interactions. The import is not timed.
enum HistoryBenchmark {
    /// The flow without policies.
    static func plain() throws -> String { try TwentyOfferFlow.source() }
    /// The flow with a 30-day cool-down on declined offers and at most three emails a week.
    static func policies() throws -> String {
        try TwentyOfferFlow.source(
            afterFilters: #"    cooldown { days = 30, name = "declined lately" },"#,
            afterChannel: #"    cap { max = 3, days = 7, channel = "email", name = "email fatigue" },"#)
    }

    /// Interactions per customer.
    static let perCustomer = 10

    static func run(customers: Int) async throws -> [BenchmarkFigure] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("decide-history-bench-\(UUID())")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("flows"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try plain().write(to: directory.appendingPathComponent("flows/plain.lua"), atomically: true, encoding: .utf8)
        try policies().write(to: directory.appendingPathComponent("flows/policies.lua"), atomically: true, encoding: .utf8)
        let store = try SQLiteCustomerStore(path: directory.appendingPathComponent("history.sqlite").path)
        _ = try store.importCustomers(from: .generated(count: customers, seed: 1), options: ImportOptions())
        let interactions = try await importHistory(into: store, customers: customers)
        let library = FlowLibrary(directory: directory.appendingPathComponent("flows").path)

        // Each flow twice, alternating, and the faster of each kept: the machine is shared.
        var seconds: [String: Double] = [:]
        var dropped = 0
        for flow in ["plain", "policies", "plain", "policies"] {
            let clock = ContinuousClock()
            let started = clock.now
            let record = try await RunPlanner(library: library, store: store)
                .create(RunRequest(flow: flow, segment: "all", workers: 2))
            let ended = try await RunExecutor(store: store).execute(runId: record.id)
            guard ended.status == .completed else { throw CocoaError(.featureUnsupported) }
            let elapsed = Measure.seconds(clock.now - started)
            seconds[flow] = min(seconds[flow] ?? .infinity, elapsed)
            if flow == "policies" {
                dropped = try await store.stageFunnel(runId: record.id)
                    .filter { $0.kind == "cap" || $0.kind == "cooldown" }.reduce(0) { $0 + $1.dropped }
            }
            try await store.deleteRun(id: record.id)
        }
        let (without, with) = (seconds["plain"]!, seconds["policies"]!)
        return [
            BenchmarkFigure(
                name: "history: \(customers) customers, \(interactions) interactions, without policies",
                value: Double(customers) / without, unit: "customers/s"),
            BenchmarkFigure(
                name: "history: with a cooldown and a cap (\(dropped) dropped)", value: Double(customers) / with,
                unit: "customers/s"),
            BenchmarkFigure(name: "history: with / without (target >= 0.8)", value: without / with, unit: "x"),
        ]
    }

    /// Stores `perCustomer` interactions for every customer, in time order; returns how many.
    static func importHistory(into store: SQLiteCustomerStore, customers: Int) async throws -> Int {
        let outcomes = ["impression", "clicked", "accepted", "declined"]
        let channels = ["email", "sms", "push"]
        var random = SeededRandom(seed: 7)
        let now = Date().milliseconds
        let span: Int64 = 90 * 86_400_000
        let total = customers * perCustomer
        let slice = 200_000
        var stored = 0
        while stored < total {
            let count = min(slice, total - stored)
            // Times rise through the import: slice k covers its share of the 90 days, customers at random.
            var batch: [Interaction] = []
            batch.reserveCapacity(count)
            for offset in 0..<count {
                let position = Int64(stored + offset)
                let at = now - span + span * position / Int64(total)
                let customer = Int(random.next() % UInt64(customers)) + 1
                let draw = random.next() % 10
                batch.append(Interaction(
                    customerId: String(format: "C%09d", customer), offerId: "offer\(random.next() % 20 + 1)",
                    channel: channels[Int(random.next() % 3)],
                    outcome: draw < 6 ? "sent" : outcomes[Int(draw - 6)], at: Date(milliseconds: at)))
            }
            _ = try store.addInteractions(batch)
            stored += count
        }
        return stored
    }
}
