import DecideStore
import DecisionEngine
import Foundation
import RunEngine

/// Volume constraints at scale: a run of `customers` customers with (mostly) five scored candidates each from a
/// twenty-offer flow, under four overlapping caps with `max_offers = 3`, on two workers; the allocation's time (from the last
/// committed batch of pass 1 to the run's end) against pass 1's (from creating the run to its last batch), measured
/// in the same run. The target: allocation ≤ 0.35 × pass 1 for 1,000,000 customers.
enum VolumeBenchmark {
    /// Twenty offers through five eligibility filters, a logistic propensity times the offer's value, a channel
    /// and `rank { top = 5 }`: five scored candidates for most customers, of which `max_offers = 3` may be delivered,
    /// under an offer cap, a channel cap, a cap on a group of offers and a total.
    static let flow = """
        local offers = {}
        for i = 1, 20 do
          offers[i] = { id = "offer" .. i, name = "Offer " .. i, value = 20 + 7 * i, min_age = 18 + (i % 4) * 3,
                        min_credit = 500 + (i % 5) * 20, bias = (i % 7) / 10 - 0.3, weight = (i % 3 + 1) / 100 }
        end
        local exp = math.exp
        return flow {
          name = "Twenty offers",
          offers = offers,
          max_offers = 3,
          constraints = {
            volume { max = 60000, offer = "offer20" },
            volume { max = 900000, channel = "email" },
            volume { max = 250000, offers = { "offer1", "offer2", "offer3" } },
            volume { max = 2200000 },
          },
          stages = {
            filter("age", function(c, o) return (c.age or 0) >= o.min_age end),
            filter("credit", function(c, o) return (c.credit_score or 0) >= o.min_credit end),
            filter("income", function(c, o) return (c.income or 0) >= 10000 end),
            filter("churn", function(c, o) return (c.churn_risk or 0) < 0.95 end),
            filter("tenure", function(c, o) return (c.tenure_months or 0) >= 0 end),
            score("expected value", function(c, o)
              local x = o.bias + o.weight * ((c.credit_score or 600) - 650) / 10 - (c.churn_risk or 0.3)
                + ((c.balance or 0) > 5000 and 0.4 or 0)
              return o.value / (1 + exp(-x))
            end),
            channel("reach", function(c, o)
              if c.app_user then return "push" elseif c.email_opt_in then return "email" else return "sms" end
            end),
            rank { top = 5 },
          },
        }
        """

    /// Measures one constrained run over a generated audience of `customers`.
    static func run(customers: Int) async throws -> [BenchmarkFigure] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("decide-volume-bench-\(UUID())")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("flows"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try flow.write(to: directory.appendingPathComponent("flows/twenty.lua"), atomically: true, encoding: .utf8)
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
