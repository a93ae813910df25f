import DecideStore
import DecisionEngine
import Foundation
import LuaRuntime
import Testing
import TestSupport

@testable import RunEngine

@Suite("Runs")
struct RunExecutionTests {
    @Test("the summary and breakdowns of a small audience match the hand-computed figures", arguments: StoreKind.available)
    func summaryArithmetic(kind: StoreKind) async throws {
        let fixture = try await RunFixture(customers: 10, kind: kind)
        let record = try await fixture.run(RunRequest(flow: "simple", segment: "all", workers: 2, batchSize: 3))
        #expect(record.status == .completed)
        let document = try await RunDocument(record, store: fixture.store)
        // Ages 19...28: customers 7...10 (ages 25...28) get b and a; the other six get a only.
        #expect(document.summary?.totalCustomers == 10)
        #expect(document.summary?.customersWithRecommendations == 10)
        #expect(document.summary?.totalRecommendations == 14)
        #expect(document.summary?.averageOffersPerCustomer == 1.4)
        #expect(document.offerBreakdown.map(\.offerId) == ["a", "b"])
        #expect(document.offerBreakdown.map(\.count) == [10, 4])
        let percents: [Double] = [100 * 10 / 14.0, 100 * 4 / 14.0]
        #expect(document.offerBreakdown.map(\.percent) == percents)
        // b goes by push to app users among 7...10 (9), by email to 7, 8, 10; a always by email.
        #expect(document.channelBreakdown.map(\.channel) == ["email", "push"])
        #expect(document.channelBreakdown.map(\.count) == [13, 1])
        #expect(document.name == "Simple × All")
        #expect(document.rankBreakdown.map(\.count) == [10, 4])
        // The age filter sees both offers of all ten customers and drops b for the six under 25.
        #expect(document.stageFunnel.map(\.name) == ["age", "value", "rank", "reach"])
        #expect(document.stageFunnel.map(\.received) == [20, 14, 14, 14])
        #expect(document.stageFunnel.map(\.dropped) == [6, 0, 0, 0])
        #expect(try await fixture.export(record.id).last == "C0010:b/email,a/email")
    }

    @Test("results are identical with one worker and two, and with different batch sizes", arguments: StoreKind.available)
    func deterministicAcrossWorkers(kind: StoreKind) async throws {
        let fixture = try await RunFixture(customers: 250, kind: kind)
        let one = try await fixture.run(RunRequest(flow: "simple", segment: "all", workers: 1, batchSize: 1000))
        let two = try await fixture.run(RunRequest(flow: "simple", segment: "all", workers: 2, batchSize: 7))
        let three = try await fixture.run(RunRequest(flow: "simple", filter: "age >= 0", workers: 2, batchSize: 64))
        let expected = try await fixture.export(one.id)
        #expect(expected.count == 250)
        #expect(try await fixture.export(two.id) == expected)
        #expect(try await fixture.export(three.id) == expected)
    }

    @Test("a flow error fails the run with the customer id and the flow's file and line, keeping what it processed", arguments: StoreKind.available)
    func flowErrorFailsRun(kind: StoreKind) async throws {
        let fixture = try await RunFixture(customers: 50, flows: ["broken": """
            return flow {
              name = "Broken",
              offers = { { id = "a", name = "A", channel = "email" } },
              stages = {
                filter("boom", function(c, o)
                  if c.id == "C0030" then return c.missing > 1 end
                  return true
                end),
              },
            }
            """], kind: kind)
        let record = try await fixture.run(RunRequest(flow: "broken", segment: "all", workers: 1, batchSize: 10))
        #expect(record.status == .failed)
        #expect(record.partial)
        #expect(record.error?.customerId == "C0030")
        #expect(record.error?.line == 6)
        #expect(record.error?.file?.hasSuffix("flows/broken.lua") == true)
        #expect(record.summary.totalCustomers == 30)
    }

    @Test("the error budget records failing customers and fails the run only past it", arguments: StoreKind.available)
    func errorBudget(kind: StoreKind) async throws {
        let flows = ["flaky": """
            return flow {
              name = "Flaky",
              offers = { { id = "a", name = "A", channel = "email" } },
              stages = { filter("odd", function(c, o) if c.age % 10 == 0 then error("no tens") end return true end) },
            }
            """]
        let fixture = try await RunFixture(customers: 40, flows: flows, kind: kind)
        // Ages 19...58: 20, 30, 40, 50 fail (4 customers).
        let within = try await fixture.run(RunRequest(flow: "flaky", segment: "all", batchSize: 8, maxErrors: 4))
        #expect(within.status == .completed)
        #expect(within.summary.errorsRecorded == 4)
        #expect(within.summary.totalCustomers == 40)
        let failing = try await fixture.store.results(runId: within.id, customerId: "C0002", offerId: nil, channel: nil, limit: 1, offset: 0)
        let message: String = failing.customers.first?.error ?? ""
        #expect(message.contains("no tens"))
        let over = try await fixture.run(RunRequest(flow: "flaky", segment: "all", batchSize: 8, maxErrors: 3))
        #expect(over.status == .failed)
        #expect(over.error?.message.contains("--max-errors") == true)
    }

    @Test("invalid requests are refused and create no run", arguments: [
        RunRequest(flow: "nope", segment: "all"),
        RunRequest(flow: "simple", segment: "missing"),
        RunRequest(flow: "simple", filter: "agee > 3"),
        RunRequest(flow: "simple", segment: "all", filter: "age > 3"),
        RunRequest(flow: "simple", segment: "all", workers: 0),
        RunRequest(flow: "simple", segment: "all", batchSize: 0),
        RunRequest(flow: "simple", segment: "all", limits: RunLimits(memoryLimitMiB: 0)),
        RunRequest(flow: "simple", segment: "all", limits: RunLimits(instructionBudget: 0)),
        RunRequest(flow: "simple", segment: "all", limits: RunLimits(deadlineSeconds: 601)),
    ])
    func invalidRequests(request: RunRequest) async throws {
        let fixture = try await RunFixture(customers: 3)
        await #expect(throws: (any Error).self) { try await RunPlanner(library: fixture.library, store: fixture.store).create(request) }
        #expect(try await fixture.store.runs(status: nil, limit: 10, offset: 0).total == 0)
    }

    @Test("a cancel requested from another store instance stops the run, keeping partial results", arguments: StoreKind.available)
    func cancelFromAnotherInstance(kind: StoreKind) async throws {
        let fixture = try await RunFixture(customers: 3000, flows: ["slow": """
            return flow {
              name = "Slow",
              offers = { { id = "a", name = "A", channel = "email" } },
              stages = { filter("spin", function() for i = 1, 20000 do end return true end) },
            }
            """], kind: kind)
        let record = try await RunPlanner(library: fixture.library, store: fixture.store)
            .create(RunRequest(flow: "slow", segment: "all", workers: 1, batchSize: 50))
        let other = try await StoreLocation(parsing: fixture.databasePath).open()
        async let ended = RunExecutor(store: fixture.store).execute(runId: record.id)
        while try await other.run(id: record.id).progress.processed == 0 { try await Task.sleep(for: .milliseconds(10)) }
        try await other.requestCancel(runId: record.id)
        let result = try await ended
        #expect(result.status == .cancelled)
        #expect(result.partial)
        #expect(result.summary.totalCustomers < 3000)
        #expect(result.summary.totalCustomers > 0)
    }

    @Test("a dry run stores nothing and gives the same summary and breakdowns (offers, channels, ranks, stages) as the real run", arguments: StoreKind.available)
    func dryRun(kind: StoreKind) async throws {
        let fixture = try await RunFixture(customers: 100, kind: kind)
        let planner = RunPlanner(library: fixture.library, store: fixture.store)
        let request = RunRequest(flow: "simple", segment: "all", batchSize: 9)
        let simulated = try await DryRun(store: fixture.store).simulate(try await planner.plan(request).new, sample: nil)
        #expect(try await fixture.store.runs(status: nil, limit: 10, offset: 0).total == 0)
        let real = try await RunDocument(try await fixture.run(request), store: fixture.store)
        #expect(simulated.summary?.totalRecommendations == real.summary?.totalRecommendations)
        #expect(simulated.summary?.customersWithRecommendations == real.summary?.customersWithRecommendations)
        #expect(simulated.offerBreakdown == real.offerBreakdown)
        #expect(simulated.channelBreakdown == real.channelBreakdown)
        #expect(simulated.rankBreakdown == real.rankBreakdown && !real.rankBreakdown.isEmpty)
        #expect(simulated.stageFunnel == real.stageFunnel && !real.stageFunnel.isEmpty)
        let sampled = try await DryRun(store: fixture.store).simulate(try await planner.plan(request).new, sample: 10)
        #expect(sampled.summary?.totalCustomers == 10)
    }

    @Test("a run's own limits apply to every customer, are stored with it, and stay within the planner's maxima", arguments: StoreKind.available)
    func perRunLimits(kind: StoreKind) async throws {
        let fixture = try await RunFixture(customers: 20, flows: ["spin": """
            return flow {
              name = "Spin",
              offers = { { id = "a", name = "A", channel = "email" } },
              stages = { filter("spin", function(c) for i = 1, 200000 do end return true end) },
            }
            """], kind: kind)
        let tight = RunRequest(
            flow: "spin", segment: "all", maxErrors: 100, limits: RunLimits(instructionBudget: 50_000))
        let failing = try await fixture.run(tight)
        #expect(failing.summary.errorsRecorded == 20)
        #expect(failing.options.limits.instructionBudget == 50_000)
        let document = try await RunDocument(failing, store: fixture.store)
        #expect(document.limits == RunLimits(memoryLimitMiB: 64, instructionBudget: 50_000, deadlineSeconds: 2))
        let roomy = try await fixture.run(RunRequest(flow: "spin", segment: "all"))
        #expect(roomy.summary.errorsRecorded == 0)
        let capped = RunPlanner(
            library: fixture.library, store: fixture.store,
            maximumLimits: SandboxLimits(memoryBytes: 128 << 20, instructionBudget: 1_000_000, deadlineSeconds: 5))
        let error = try await #require(throws: RunError.self) {
            try await capped.create(RunRequest(flow: "spin", segment: "all", limits: RunLimits(memoryLimitMiB: 256)))
        }
        #expect(error.field == "memoryLimitMiB")
    }
}
