import DecideStore
import Foundation
import Testing
import TestSupport

/// `decide store copy`: a whole store moved between SQLite and PostgreSQL, and back.
@Suite("Store copy")
struct StoreCopyTests {
    /// Every kind to every kind (SQLite to SQLite when PostgreSQL is not available).
    static var pairs: [(StoreKind, StoreKind)] {
        StoreKind.available.flatMap { from in StoreKind.available.map { (from, $0) } }
    }

    @Test("customers, segments, finished runs and the interaction history arrive the same: attributes in order, results, totals, run history, interaction ids and times", arguments: pairs)
    func roundTrip(from: StoreKind, to: StoreKind) async throws {
        let source = try await TemporaryStore.withPeople(from)
        _ = try await source.store.saveSegment(name: "older", filter: "age >= 30", description: "Thirty and over", replace: false)
        let run = try await source.startRun(total: 3)
        try await source.store.commitBatch(.test(run.id, [
            TestCustomer(id: "c1", recommendations: [("gold", "email", 2.5), ("loan", "sms", nil)]),
            TestCustomer(id: "c2", error: "boom"),
            TestCustomer(id: "c3"),
        ], stages: [(4, 1)]))
        let ended = try await source.store.transition(runId: run.id, to: .completed, message: "completed", error: nil)
        let pending = try await source.createRun(name: "later")
        let day = 86_400.0
        _ = try await source.store.addInteractions([
            Interaction(id: "i1", customerId: "c1", offerId: "gold", channel: "email", outcome: "sent", at: Date(timeIntervalSince1970: 1_700_000_000.123)),
            Interaction(id: nil, customerId: "c1", offerId: "gold", channel: nil, outcome: "declined", at: Date(timeIntervalSince1970: 1_700_000_000 + day)),
        ])
        _ = try await source.store.addInteractions([
            Interaction(id: "i3", customerId: "c2", offerId: "loan", channel: "sms", outcome: "sent", at: Date(timeIntervalSince1970: 1_700_000_000)),
        ])

        let target = try await TemporaryStore.make(to)
        let summary = try await StoreCopy.copy(from: source.store, to: target.store)
        #expect(summary == StoreCopySummary(customers: 6, segments: 1, runs: 2, results: 3, interactions: 3))
        for customer in ["c1", "c2"] {
            let copied = try await target.store.interactions(customerId: customer, limit: 10, offset: 0)
            let original = try await source.store.interactions(customerId: customer, limit: 10, offset: 0)
            #expect(copied.total > 0)
            #expect(copied.interactions == original.interactions)
        }
        #expect(try await target.store.schema() == source.store.schema())
        #expect(try await target.store.sample(.named("all"), limit: 100) == source.store.sample(.named("all"), limit: 100))
        #expect(try await target.store.segment(named: "older").count == 4)
        #expect(try await target.store.run(id: run.id) == ended)
        #expect(try await target.store.run(id: pending.id).status == .pending)
        #expect(try await target.store.events(runId: run.id) == source.store.events(runId: run.id))
        #expect(try await target.store.offerBreakdown(runId: run.id) == source.store.offerBreakdown(runId: run.id))
        #expect(try await target.store.stageFunnel(runId: run.id) == source.store.stageFunnel(runId: run.id))
        var copied: [CustomerResult] = []
        try await target.store.exportResults(runId: run.id) { copied.append($0) }
        var original: [CustomerResult] = []
        try await source.store.exportResults(runId: run.id) { original.append($0) }
        #expect(copied == original)

        await #expect(throws: StoreError.self) { try await StoreCopy.copy(from: source.store, to: target.store) }
    }

    @Test("a running run is refused before anything is copied")
    func runningRefused() async throws {
        let source = try await TemporaryStore.withPeople()
        _ = try await source.startRun(total: 1)
        let target = try await TemporaryStore.make(.sqlite)
        await #expect(throws: StoreError.self) { try await StoreCopy.copy(from: source.store, to: target.store) }
        #expect(try await target.store.count(.named("all")) == 0)
    }
}

/// Idle workers are woken when work appears.
@Suite("Work wake-ups")
struct WakeupTests {
    @Test("on PostgreSQL a worker is woken by a run created in the store, whether or not it was waiting then")
    func wokenByNewRun() async throws {
        guard StoreKind.available.contains(.postgres) else { return }
        let waiting = try await TemporaryStore.make(.postgres)
        // The first wait returns once the store listens: work may have appeared before it did.
        #expect(await waiting.store.waitForWork(upTo: .seconds(60)))
        // Each wait is long: a timeout is a failure. The run is created while the wait may or may not have begun;
        // either way it wakes it.
        let wait = Task { await waiting.store.waitForWork(upTo: .seconds(60)) }
        _ = try await waiting.createRun(name: "wake")
        #expect(await wait.value)
        // Nothing new: the next wait times out.
        #expect(await !waiting.store.waitForWork(upTo: .milliseconds(300)))
    }
}
