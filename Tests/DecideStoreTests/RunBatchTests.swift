import DecideStore
import Testing
import TestSupport

/// Committing batches: totals, breakdowns, progress, idempotence.
@Suite("Run batches")
struct RunBatchTests {
    static let first = [
        TestCustomer(id: "c1", recommendations: [("gold", "email", 0.9), ("loan", "sms", 0.4)]),
        TestCustomer(id: "c2"),
        TestCustomer(id: "c3", recommendations: [("gold", "sms", nil)]),
    ]
    static let second = [
        TestCustomer(id: "c4", error: "attempt to compare nil with number"),
        TestCustomer(id: "c5", recommendations: [("loan", "email", 0.7), ("gold", "email", 0.5), ("card", "app", 0.1)]),
    ]

    @Test("batches add up: totals, offers, channels, ranks, stages and progress", arguments: StoreKind.available)
    func accumulate(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        let run = try await temporary.startRun(total: 5)
        #expect(try await temporary.store.commitBatch(.test(run.id, Self.first, stages: [(6, 2), (4, 1)])) == .committed)
        #expect(try await temporary.store.commitBatch(.test(run.id, Self.second, stages: [(5, 1), (4, 0)])) == .committed)

        let stored = try await temporary.store.run(id: run.id)
        #expect(stored.summary == RunSummary(
            totalCustomers: 5, customersWithRecommendations: 3, totalRecommendations: 6, executionTimeMs: 6, errorsRecorded: 1))
        #expect(stored.progress == RunProgress(processed: 5, total: 5, lastCustomerId: "c5"))
        #expect(try await temporary.store.offerBreakdown(runId: run.id) == [
            OfferCount(offerId: "gold", name: "Offer gold", count: 3),
            OfferCount(offerId: "loan", name: "Offer loan", count: 2),
            OfferCount(offerId: "card", name: "Offer card", count: 1),
        ])
        #expect(try await temporary.store.channelBreakdown(runId: run.id) == [
            ChannelCount(channel: "email", count: 3), ChannelCount(channel: "sms", count: 2), ChannelCount(channel: "app", count: 1),
        ])
        #expect(try await temporary.store.rankBreakdown(runId: run.id) == [
            RankCount(rank: 1, count: 3), RankCount(rank: 2, count: 2), RankCount(rank: 3, count: 1),
        ])
        #expect(try await temporary.store.stageFunnel(runId: run.id) == [
            StageCount(index: 0, name: "s0", kind: "eligibility", received: 11, dropped: 3),
            StageCount(index: 1, name: "s1", kind: "ranking", received: 8, dropped: 1),
        ])
    }

    @Test("the same batch committed twice is counted once", arguments: StoreKind.available)
    func idempotent(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        let run = try await temporary.startRun(total: 5)
        let batch = try RunBatchCommit.test(run.id, Self.first, stages: [(6, 2)])
        #expect(try await temporary.store.commitBatch(batch) == .committed)
        let once = try await temporary.store.run(id: run.id)
        #expect(try await temporary.store.commitBatch(batch) == .alreadyCommitted)
        let twice = try await temporary.store.run(id: run.id)
        #expect(twice.summary == once.summary && twice.progress == once.progress)
        #expect(try await temporary.store.offerBreakdown(runId: run.id).map(\.count) == [2, 1])
        #expect(try await temporary.store.stageFunnel(runId: run.id).map(\.received) == [6])
        #expect(try await temporary.store.results(runId: run.id, customerId: nil, offerId: nil, channel: nil, failedOnly: false, limit: 10, offset: 0).total == 3)
    }

    @Test("a batch resent after an interruption and resume is skipped, and the run goes on after it", arguments: StoreKind.available)
    func resume(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        let run = try await temporary.startRun(total: 5)
        let first = try RunBatchCommit.test(run.id, Self.first)
        try await temporary.store.commitBatch(first)
        // A negative lease makes every running run stale at once.
        #expect(try await temporary.store.markInterrupted(olderThan: -1).map(\.id) == [run.id])
        #expect(try await temporary.store.commitBatch(first) == .alreadyCommitted)
        await #expect { try await temporary.store.commitBatch(.test(run.id, Self.second)) } throws: { ($0 as? StoreError)?.code == .runNotRunning }

        let resumed = try await temporary.store.transition(runId: run.id, to: .running, message: "resumed", error: nil)
        #expect(resumed.progress.lastCustomerId == "c3")
        #expect(try await temporary.store.commitBatch(first) == .alreadyCommitted)
        #expect(try await temporary.store.commitBatch(.test(run.id, Self.second)) == .committed)
        #expect(try await temporary.store.run(id: run.id).summary.totalCustomers == 5)
    }

    @Test("the same batch committed at once by two processes on the same file is written once")
    func concurrentResend() async throws {
        let temporary = try TemporaryStore()
        let run = try await temporary.startRun(total: 5)
        let batch = try RunBatchCommit.test(run.id, Self.first)
        let stores = [temporary.store, try SQLiteCustomerStore(path: temporary.path)]
        let outcomes = try await withThrowingTaskGroup(of: RunBatchOutcome.self) { group in
            for store in stores {
                group.addTask { try await store.commitBatch(batch) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == .committed }.count == 1 && outcomes.count == 2)
        #expect(try await temporary.store.run(id: run.id).summary.totalRecommendations == 3)
    }

    @Test("a batch overlapping the committed customers is refused", arguments: StoreKind.available)
    func overlap(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        let run = try await temporary.startRun(total: 5)
        try await temporary.store.commitBatch(.test(run.id, Self.first))
        let overlapping = try RunBatchCommit.test(run.id, [TestCustomer(id: "c3"), TestCustomer(id: "c4")])
        await #expect { try await temporary.store.commitBatch(overlapping) } throws: { ($0 as? StoreError)?.code == .invalidArgument }
        #expect(try await temporary.store.run(id: run.id).summary.totalCustomers == 3)
    }

    @Test("batches are refused unless the run is running", arguments: StoreKind.available)
    func notRunning(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        let run = try await temporary.createRun()
        await #expect { try await temporary.store.commitBatch(.test(run.id, Self.first)) } throws: { ($0 as? StoreError)?.code == .runNotRunning }
        await #expect { try await temporary.store.commitBatch(.test("r-nope", Self.first)) } throws: { ($0 as? StoreError)?.code == .runNotFound }
    }

    @Test("a batch whose columns disagree or whose ids do not increase cannot be made")
    func invalidBatches() async throws {
        #expect(throws: StoreError.self) {
            try RunBatchCommit(runId: "r", customerIds: ["a", "b"], recommendationCounts: [1], offerIds: ["o"], channels: ["e"],
                               scores: [nil], errors: [nil, nil], offerNames: [:], stageCounts: [], executionTimeMs: 0)
        }
        #expect(throws: StoreError.self) {
            try RunBatchCommit(runId: "r", customerIds: ["a"], recommendationCounts: [2], offerIds: ["o"], channels: ["e"],
                               scores: [nil], errors: [nil], offerNames: [:], stageCounts: [], executionTimeMs: 0)
        }
        #expect(throws: StoreError.self) { try RunBatchCommit.test("r", [TestCustomer(id: "b"), TestCustomer(id: "a")]) }
        #expect(throws: StoreError.self) { try RunBatchCommit.test("r", [TestCustomer(id: "a"), TestCustomer(id: "a")]) }
    }

    @Test("a run that ends with fewer customers committed than its audience is partial", arguments: StoreKind.available)
    func partial(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        let cancelled = try await temporary.startRun(total: 5)
        try await temporary.store.commitBatch(.test(cancelled.id, Self.first))
        #expect(try await temporary.store.transition(runId: cancelled.id, to: .cancelled, message: nil, error: nil).partial)
        let completed = try await temporary.startRun(total: 5)
        try await temporary.store.commitBatch(.test(completed.id, Self.first))
        try await temporary.store.commitBatch(.test(completed.id, Self.second))
        #expect(try await temporary.store.transition(runId: completed.id, to: .completed, message: nil, error: nil).partial == false)
    }
}
