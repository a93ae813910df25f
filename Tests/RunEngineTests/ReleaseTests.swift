import DecideStore
import DecisionEngine
import Foundation
import TestSupport
import Testing

@testable import RunEngine

/// Releasing runs into the interaction history, and runs' decision time.
@Suite("Releasing runs")
struct ReleaseTests {
    @Test("a completed run releases one sent interaction per recommendation at its decision time, exactly once, also when two releases race", arguments: StoreKind.available)
    func releaseOnce(kind: StoreKind) async throws {
        let fixture = try await RunFixture(customers: 10, kind: kind)
        let asOf = try #require(Interaction.time("2026-10-01T12:00:00Z"))
        let run = try await fixture.run(RunRequest(flow: "simple", segment: "all", workers: 2, batchSize: 3, asOf: asOf))
        #expect(run.decidedAt == asOf)
        let store = fixture.store, id = run.id
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<2 { group.addTask { (try? await store.releaseRun(id: id)) != nil } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.count { $0 } == 1 && outcomes.count == 2)
        #expect(try await store.countInteractions(InteractionFilter(outcome: "sent")) == 14)
        let history = try await store.interactions(customerId: "C0010", limit: 10, offset: 0).interactions
        #expect(Set(history.compactMap(\.id)) == ["\(id):C0010:1", "\(id):C0010:2"])
        #expect(history.map(\.offerId).sorted() == ["a", "b"])
        #expect(history.allSatisfy { $0.at == asOf && $0.outcome == "sent" && $0.channel == "email" })
        let released = try await store.run(id: id)
        #expect(released.releasedAt != nil)
        #expect(try await RunDocument(released, store: store).releasedAt == released.releasedAt)
        let again = await #expect(throws: StoreError.self) { try await store.releaseRun(id: id) }
        #expect(again?.code == .notReleasable)
        let pending = try await RunPlanner(library: fixture.library, store: store).create(RunRequest(flow: "simple", segment: "all"))
        let early = await #expect(throws: StoreError.self) { try await store.releaseRun(id: pending.id) }
        #expect(early?.code == .notReleasable)
        let unknown = await #expect(throws: StoreError.self) { try await store.releaseRun(id: "r-nope") }
        #expect(unknown?.code == .runNotFound)
        #expect(try await store.countInteractions(InteractionFilter()) == 14)
    }

    @Test("a run decides as of its decision time: os.time() in the flow is it", arguments: StoreKind.available)
    func decisionTime(kind: StoreKind) async throws {
        let clock = """
            return flow {
              name = "Clock",
              offers = { { id = "a", name = "A", channel = "email" } },
              stages = { score("now", function(c, o) return os.time() end) },
            }
            """
        let fixture = try await RunFixture(customers: 3, flows: ["clock": clock], kind: kind)
        let asOf = try #require(Interaction.time("2025-03-04T05:06:07Z"))
        let run = try await fixture.run(RunRequest(flow: "clock", segment: "all", asOf: asOf))
        var scores: [Double?] = []
        try await fixture.store.exportResults(runId: run.id) { scores += $0.recommendations.map(\.score) }
        #expect(scores == [asOf.timeIntervalSince1970, asOf.timeIntervalSince1970, asOf.timeIntervalSince1970])
        #expect(try await RunDocument(run, store: fixture.store).decidedAt == asOf)
    }

    @Test("explaining one customer decides as of a given time, or now; a stored run's customer as of the run's decision time")
    func explainAsOf() async throws {
        let clock = """
            return flow {
              name = "Clock",
              offers = { { id = "a", name = "A", channel = "email" } },
              stages = { score("now", function(c, o) return os.time() end) },
            }
            """
        let fixture = try await RunFixture(customers: 1, flows: ["clock": clock])
        let source = try fixture.library.source(of: "clock")
        let customer = try await fixture.store.customer(id: "C0001")
        let worker = try FlowWorker()
        let then = try #require(Interaction.time("2024-02-29T23:59:59Z"))
        let asOf = try worker.trace(
            customer.customers[0], fieldNames: customer.fieldNames, flow: source, decisionTime: then)
        #expect(asOf.recommendations.first?.score == then.timeIntervalSince1970)
        let before = Date().timeIntervalSince1970.rounded(.down)
        let now = try worker.trace(customer.customers[0], fieldNames: customer.fieldNames, flow: source)
        #expect((now.recommendations.first?.score ?? 0) >= before)
    }

    @Test("a flow test case with as_of is decided as of that time; a bad as_of fails the case with the file named")
    func testCaseAsOf() async throws {
        let clock = """
            return flow {
              name = "Clock",
              offers = { { id = "old", name = "Old", channel = "email" }, { id = "new", name = "New", channel = "email" } },
              stages = { filter("era", function(c, o) return (o.id == "new") == (os.time() >= 1700000000) end) },
            }
            """
        let fixture = try await RunFixture(customers: 1, flows: ["clock": clock])
        let tests = """
            return {
              { name = "then", customer = { id = "c1" }, as_of = "2020-01-01", expect = { "old" } },
              { name = "now", customer = { id = "c1" }, expect = { "new" } },
              { name = "bad", customer = { id = "c1" }, as_of = "soon", expect = { "new" } },
            }
            """
        let results = try FlowWorker().runTests(of: try fixture.library.source(of: "clock"), testSource: tests, testPath: "clock.test.lua")
        #expect(results.map(\.passed) == [true, true, false])
        #expect(results[2].failures.first?.contains("clock.test.lua: as_of must be a time") == true)
    }
}
