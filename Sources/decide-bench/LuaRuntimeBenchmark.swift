import DecideStore
import DecisionEngine
import Foundation
import LuaRuntime

/// The Lua runtime's round trip: push a 10-field customer, run a 20-offer flow, read back 3 recommendations;
/// on one worker, on two, and the same loop written entirely in Lua as the ceiling.
enum LuaRuntimeBenchmark {
    /// A flow with 20 offers, two filters, a score, rank top 3 and a channel: the shape of a typical cross-sell.
    static let flow = FlowSource(key: "bench", path: "bench.lua", source: """
        local offers = {}
        for i = 1, 20 do
          offers[i] = { id = "offer_" .. i, name = "Offer " .. i, value = 10 + i * 7, min_age = 18 + (i % 5) * 4,
                        min_income = 10000 + (i % 7) * 9000, weight = (i % 3) + 1 }
        end
        return flow {
          name = "Benchmark",
          offers = offers,
          stages = {
            filter("age", function(c, o) return c.age >= o.min_age end),
            filter("income", function(c, o) return (c.income or 0) >= o.min_income end),
            score("value", function(c, o)
              return o.value * o.weight * (c.app_user and 1.2 or 1.0) / (1 + c.tenure_months / 120)
            end),
            rank { top = 3 },
            channel("preferred", function(c, o) if c.app_user then return "push" end return "email" end),
          },
        }
        """, modules: [:])

    /// Ten fields per customer, values varied so the filters keep different offers.
    static func batch(customers: Int) -> CustomerBatch {
        let names = ["id", "age", "income", "region", "tenure_months", "credit_score", "balance", "app_user",
                     "email_opt_in", "churn_risk"]
        let regions = ["north", "south", "east", "west", "central"]
        let rows = (0..<customers).map { index in
            let id = String(format: "C%07d", index)
            return Customer(id: id, values: [
                .text(id), .integer(Int64(18 + index % 60)), .real(Double(15000 + (index * 7919) % 120000)),
                .text(regions[index % 5]), .integer(Int64(index % 240)), .integer(Int64(300 + index % 550)),
                .real(Double(index % 50000)), .boolean(index % 3 == 0), .boolean(index % 2 == 0),
                .real(Double(index % 100) / 100),
            ])
        }
        return CustomerBatch(fieldNames: names, customers: rows)
    }

    /// Runs the three measurements and their ratios.
    static func run(customers: Int) async throws -> [BenchmarkFigure] {
        let batch = batch(customers: customers)
        let ceiling = try FlowWorker().pureLuaCeiling(batch, flow: flow, repetitions: 1, metered: false)
        let metered = try FlowWorker().pureLuaCeiling(batch, flow: flow, repetitions: 1, metered: true)
        let one = try await throughput(workers: 1, batch: batch)
        let two = try await throughput(workers: 2, batch: batch)
        let machine = try await parallelCeiling(batch: batch, threads: 2) / ceiling
        return [
            BenchmarkFigure(name: "Lua round trip, pure-Lua ceiling, unmetered", value: ceiling, unit: "customers/s"),
            BenchmarkFigure(name: "Lua round trip, pure-Lua loop, hooked from 1st instruction", value: metered, unit: "customers/s"),
            BenchmarkFigure(name: "Lua round trip, host, 1 worker", value: one, unit: "customers/s"),
            BenchmarkFigure(name: "Lua round trip, host, 2 workers", value: two, unit: "customers/s"),
            BenchmarkFigure(name: "Lua round trip, 1 worker / ceiling (target >= 0.85)", value: one / ceiling, unit: "x"),
            BenchmarkFigure(name: "Lua round trip, 2 workers / 1 worker (target >= 1.8)", value: two / one, unit: "x"),
            BenchmarkFigure(name: "Machine baseline: 2 pure-Lua loops at once / 1", value: machine, unit: "x"),
        ]
    }

    /// The machine's own parallel speed-up: the pure-Lua ceiling loop in `threads` states at once, no host work.
    private static func parallelCeiling(batch: CustomerBatch, threads: Int) async throws -> Double {
        let pool = WorkerPool(workers: threads) { _ in try FlowWorker() }
        defer { pool.shutdown() }
        let flow = flow
        let clock = ContinuousClock()
        let started = clock.now
        try await withThrowingTaskGroup(of: Double.self) { group in
            for _ in 0..<threads {
                group.addTask {
                    try await pool.run { try $0.pureLuaCeiling(batch, flow: flow, repetitions: 1, metered: false) }
                }
            }
            try await group.waitForAll()
        }
        return Double(batch.customers.count * threads) / Measure.seconds(clock.now - started)
    }

    /// Customers per second through a pool of `workers`, batches of 1,000, after one warm-up batch per worker.
    private static func throughput(workers: Int, batch: CustomerBatch) async throws -> Double {
        let pool = WorkerPool(workers: workers) { _ in try FlowWorker() }
        defer { pool.shutdown() }
        let size = 1000
        let slices = stride(from: 0, to: batch.customers.count, by: size).map {
            CustomerBatch(fieldNames: batch.fieldNames, customers: Array(batch.customers[$0..<min($0 + size, batch.customers.count)]))
        }
        let flow = flow
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<workers { group.addTask { try await pool.run { try $0.decide(slices[0], flow: flow).count } } }
            try await group.waitForAll()
        }
        let clock = ContinuousClock()
        let started = clock.now
        let decided = try await withThrowingTaskGroup(of: Int.self) { group in
            for slice in slices { group.addTask { try await pool.run { try $0.decide(slice, flow: flow).count } } }
            return try await group.reduce(0, +)
        }
        return Double(decided) / Measure.seconds(clock.now - started)
    }
}
