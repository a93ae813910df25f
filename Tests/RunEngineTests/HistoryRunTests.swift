import DecideStore
import DecisionEngine
import Foundation
import TestSupport
import Testing

@testable import RunEngine

/// Runs read each batch's interaction history for their contact policies, seeing only what their decision time
/// and creation let them see.
@Suite("Runs with contact policies")
struct HistoryRunTests {
    /// Offers a and b by email, c by sms; a 30-day cool-down on declined offers, then at most one email a week.
    static let policies = """
        return flow {
          name = "Policies",
          offers = {
            { id = "a", name = "A", channel = "email" }, { id = "b", name = "B", channel = "email" },
            { id = "c", name = "C", channel = "sms" },
          },
          stages = {
            score("value", function(c, o) return ({ a = 3, b = 2, c = 1 })[o.id] end),
            cooldown { days = 30, name = "declined lately" },
            cap { max = 1, days = 7, channel = "email", name = "an email a week" },
          },
        }
        """

    static let asOf = Interaction.time("2026-06-15T12:00:00Z")!

    static func entry(_ customer: String, _ offer: String, _ outcome: String, daysBefore days: Double, channel: String? = nil) -> Interaction {
        Interaction(
            customerId: customer, offerId: offer, channel: channel, outcome: outcome,
            at: asOf.addingTimeInterval(-days * 86_400))
    }

    /// The history, and what each customer gets from it as of `asOf` (every other customer gets a and c).
    static let history = [
        entry("C0001", "a", "declined", daysBefore: 29.9),  // a cooled down: b takes the email
        entry("C0002", "x", "sent", daysBefore: 2, channel: "email"),  // the week's email is spent: c only
        entry("C0003", "a", "declined", daysBefore: 0),  // at the decision time: invisible
        entry("C0004", "a", "declined", daysBefore: -1),  // after it: invisible
        entry("C0005", "b", "declined", daysBefore: 31),  // outside the window
        entry("C0006", "a", "sent", daysBefore: 7, channel: "email"),  // exactly at the window's start: counts
        entry("C0007", "a", "declined", daysBefore: 3), entry("C0007", "b", "declined", daysBefore: 4),
    ]
    static let expected: [String: String] = [
        "C0001": "b/email,c/sms", "C0002": "c/sms", "C0006": "c/sms", "C0007": "c/sms",
    ]

    static func expectedExport(customers: Int) -> [String] {
        (1...customers).map { index in
            let id = String(format: "C%04d", index)
            return id + ":" + (expected[id] ?? "a/email,c/sms")
        }
    }

    @Test("a run's policies see the history before its decision time: the same for 1 and 2 workers, batches and chunks", arguments: StoreKind.available)
    func windows(kind: StoreKind) async throws {
        let fixture = try await RunFixture(customers: 12, flows: ["policies": Self.policies], kind: kind)
        _ = try await fixture.store.addInteractions(Self.history)
        let one = try await fixture.run(RunRequest(flow: "policies", segment: "all", workers: 1, asOf: Self.asOf))
        #expect(one.status == .completed)
        #expect(try await fixture.export(one.id) == Self.expectedExport(customers: 12))
        let two = try await fixture.run(
            RunRequest(flow: "policies", segment: "all", workers: 2, batchSize: 3, chunkSize: 4, asOf: Self.asOf))
        #expect(try await fixture.export(two.id) == Self.expectedExport(customers: 12))
        let funnel = try await fixture.store.stageFunnel(runId: two.id)
        #expect(funnel.map(\.dropped) == [0, 3, 12])
        // A day later, C0003's and C0004's declines are in the window too, and C0002's email is still in its week.
        let later = try await fixture.run(
            RunRequest(flow: "policies", segment: "all", asOf: Self.asOf.addingTimeInterval(2 * 86_400)))
        let results = try await fixture.export(later.id)
        #expect(results[2] == "C0003:b/email,c/sms" && results[3] == "C0004:b/email,c/sms")
        #expect(results[1] == "C0002:c/sms")
    }

    @Test("a run reads only what its policies count (their outcomes over the longest window) and decides as if it read everything", arguments: StoreKind.available)
    func scope(kind: StoreKind) async throws {
        let everything = "-- names history, so its runs read all of it\n" + Self.policies
        let fixture = try await RunFixture(customers: 12, flows: ["policies": Self.policies, "everything": everything], kind: kind)
        let noise = (1...12).flatMap { index in
            let id = String(format: "C%04d", index)
            return [Self.entry(id, "a", "clicked", daysBefore: 1, channel: "email"), Self.entry(id, "b", "sent", daysBefore: 40, channel: "email"),
                    Self.entry(id, "c", "declined", daysBefore: 45)]
        }
        _ = try await fixture.store.addInteractions(Self.history + noise)
        let scoped = try FlowWorker().describe(try fixture.library.source(of: "policies")).historyScope
        #expect(scoped == HistoryScope(days: 30, outcomes: ["declined", "sent"]))
        #expect(try FlowWorker().describe(try fixture.library.source(of: "everything")).historyScope == .all)
        let window = HistoryWindow(before: Self.asOf, scope: try #require(scoped))
        let read = try await fixture.store.history(of: ["C0001", "C0002", "C0005"], window: window)
        #expect(read.count == 2)  // C0001's decline and C0002's email; none of the noise, nor C0005's old decline
        let one = try await fixture.run(RunRequest(flow: "policies", segment: "all", workers: 2, batchSize: 5, asOf: Self.asOf))
        let all = try await fixture.run(RunRequest(flow: "everything", segment: "all", workers: 2, batchSize: 5, asOf: Self.asOf))
        #expect(try await fixture.export(one.id) == Self.expectedExport(customers: 12))
        #expect(try await fixture.export(all.id) == Self.expectedExport(customers: 12))
    }

    @Test("interactions stored after a run was created are invisible to it, also when it resumes after its first chunk", arguments: StoreKind.available)
    func storedAfterCreation(kind: StoreKind) async throws {
        let fixture = try await RunFixture(customers: 12, flows: ["policies": Self.policies], kind: kind)
        let store = fixture.store
        _ = try await store.addInteractions(Self.history)
        let record = try await RunPlanner(library: fixture.library, store: store)
            .create(RunRequest(flow: "policies", segment: "all", workers: 1, batchSize: 2, chunkSize: 4, asOf: Self.asOf))
        // Its first chunk is decided by a worker that then goes away.
        _ = try await store.startRun(id: record.id)
        let worker = WorkerRegistration(name: "first", host: "here", pid: 1, threads: 1, runId: nil)
        try await store.registerWorker(worker)
        let claim = try #require(try await store.claimChunk(workerId: worker.id, runId: record.id, lease: LeasePolicy(seconds: 60)))
        var runners = ChunkRunner.Cache()
        _ = try await runners.runner(for: record.id, store: store).work(claim, store: store, stop: StopSignal()) { _ in }
        try await store.unregisterWorker(id: worker.id)
        // Declines arrive for customers of every chunk, dated before the decision time but stored after the run was
        // created (the clock has moved past its creation to the millisecond).
        while Date().milliseconds <= record.createdAt.milliseconds { await Task.yield() }
        _ = try await store.addInteractions(["C0002", "C0008", "C0012"].map { Self.entry($0, "a", "declined", daysBefore: 1) })
        let ended = try await RunExecutor(store: store).execute(runId: record.id)
        #expect(ended.status == .completed)
        #expect(try await fixture.export(record.id) == Self.expectedExport(customers: 12))
        // A run created now sees them.
        let fresh = try await fixture.run(RunRequest(flow: "policies", segment: "all", asOf: Self.asOf))
        #expect(try await fixture.export(fresh.id)[7] == "C0008:b/email,c/sms")
    }

    @Test("a dry run and a run's customer view decide with the same history as the run")
    func dryRunAndExplain() async throws {
        let fixture = try await RunFixture(customers: 12, flows: ["policies": Self.policies])
        _ = try await fixture.store.addInteractions(Self.history)
        let plan = try await RunPlanner(library: fixture.library, store: fixture.store)
            .plan(RunRequest(flow: "policies", segment: "all", asOf: Self.asOf)).new
        let dry = try await DryRun(store: fixture.store).simulate(plan, sample: nil)
        #expect(dry.summary?.totalRecommendations == 12 * 2 - 3)
        let run = try await fixture.run(RunRequest(flow: "policies", segment: "all", asOf: Self.asOf))
        let customer = try await fixture.store.customer(id: "C0001")
        let history = try await fixture.store.history(of: ["C0001"], window: run.historyWindow)
        let trace = try FlowWorker().trace(
            customer.customers[0], fieldNames: customer.fieldNames, flow: try fixture.library.source(of: "policies"),
            history: history, decisionTime: run.decidedAt)
        #expect(trace.recommendations.map(\.offerId) == ["b", "c"])
        #expect(trace.stages[1].dropped.map(\.reason) == ["cooldown 'declined lately': declined 29 days ago"])
    }
}
