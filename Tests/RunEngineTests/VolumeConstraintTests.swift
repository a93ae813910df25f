import DecideStore
import DecisionEngine
import Foundation
import GRDB
import TestSupport
import Testing

@testable import RunEngine

/// Run-wide volume constraints: the allocation rule on hand-computed cases, its invariants on random ones, and the
/// same result for any number of workers, batch size, store, resume and dry run.
@Suite("Volume constraints")
struct VolumeConstraintTests {
    /// Customers C0001...C0010 are 19...28. Scores: gift 100 for all, card = age, loan 20 for all (a tie with C0002's
    /// card, which comes first in the catalogue), save 10. Loans go by push, everything else by email.
    static let supply = """
        return flow {
          name = "Supply",
          max_offers = 1,
          offers = { { id = "card", name = "Card" }, { id = "loan", name = "Loan" }, { id = "save", name = "Save" },
                     { id = "gift", name = "Gift" } },
          constraints = {
            volume { max = 3, offer = "card" },
            volume { max = 4, channel = "push" },
            volume { max = 0, offer = "gift" },
            volume { max = 5, offers = { "card", "save" }, name = "products" },
            volume { max = 100 },
          },
          stages = {
            score("s", function(c, o)
              if o.id == "card" then return c.age elseif o.id == "loan" then return 20
              elseif o.id == "save" then return 10 else return 100 end
            end),
            channel("ch", function(c, o) if o.id == "loan" then return "push" end return "email" end),
            rank { top = 4 },
          },
        }
        """

    /// Random scores and channels (seeded per customer), three offers per customer at most, overlapping caps.
    static let random = """
        return flow {
          name = "Random",
          max_offers = 2,
          offers = { { id = "a", name = "A" }, { id = "b", name = "B" }, { id = "c", name = "C" }, { id = "d", name = "D" } },
          constraints = {
            volume { max = 40, offer = "a" },
            volume { max = 90, channel = "sms" },
            volume { max = 60, offers = { "b", "c" } },
            volume { max = 200 },
          },
          stages = {
            filter("some", function(c, o) return math.random() < 0.8 end),
            score("random", function(c, o) return math.random() end),
            channel("random", function(c, o) return math.random() < 0.5 and "sms" or "email" end),
            rank { top = 3 },
          },
        }
        """

    @Test("the allocation matches a hand-computed one: ties, alternates, overlapping caps, a cap of 0, max_offers", arguments: StoreKind.available)
    func handComputed(kind: StoreKind) async throws {
        let fixture = try await RunFixture(customers: 10, flows: ["supply": Self.supply], kind: kind)
        let record = try await fixture.run(RunRequest(flow: "supply", segment: "all", workers: 2, batchSize: 3, chunkSize: 4))
        #expect(record.status == .completed)
        #expect(try await fixture.export(record.id) == [
            "C0001:loan/push", "C0002:loan/push", "C0003:loan/push", "C0004:loan/push", "C0005:save/email",
            "C0006:save/email", "C0007:", "C0008:card/email", "C0009:card/email", "C0010:card/email",
        ])
        let document = try await RunDocument(record, store: fixture.store)
        #expect(document.constraints.map(\.name) == ["offer card", "channel push", "offer gift", "products", "total"])
        #expect(document.constraints.map(\.used) == [3, 4, 0, 5, 9])
        #expect(document.constraints.map(\.turnedAway) == [6, 3, 10, 1, 0])
        #expect(document.summary?.totalRecommendations == 9)
        #expect(document.summary?.customersWithRecommendations == 9)
        #expect(document.offerBreakdown.map(\.offerId) == ["loan", "card", "save"])
        #expect(document.stageFunnel.last == StageCount(index: 3, name: "volume", kind: "volume", received: 40, dropped: 31))
        #expect(document.rankBreakdown == [RankCount(rank: 1, count: 9)])
        let seven = try await fixture.store.droppedCandidates(runId: record.id, customerId: "C0007")
        #expect(seven.map(\.reason) == [
            "volume 'offer gift' full (0)", "volume 'offer card' full (3)", "volume 'channel push' full (4)",
            "volume 'products' full (5)",
        ])
        #expect(seven.map(\.rank) == [1, 2, 3, 4])
        let eight = try await fixture.store.droppedCandidates(runId: record.id, customerId: "C0008")
        #expect(eight.map(\.offerId) == ["gift", "loan", "save"])
        #expect(eight.map(\.reason) == ["volume 'offer gift' full (0)", "max_offers reached", "max_offers reached"])

        // The same from one worker in one batch, and from a dry run (every max scaled by 10 / 10).
        let single = try await fixture.run(RunRequest(flow: "supply", segment: "all", workers: 1, batchSize: 1000))
        #expect(try await fixture.export(single.id) == fixture.export(record.id))
        let plan = try await RunPlanner(library: fixture.library, store: fixture.store)
            .plan(RunRequest(flow: "supply", segment: "all", workers: 1))
        let dry = try await DryRun(store: fixture.store).simulate(plan.new, sample: nil)
        #expect(dry.constraints.map(\.used) == [3, 4, 0, 5, 9])
        #expect(dry.constraints.map(\.declaredMax) == [3, 4, 0, 5, 100])
        #expect(dry.stageFunnel.last?.dropped == 31)
    }

    @Test("a run's constraint replaces the flow's with the same selector and others are added after it", arguments: StoreKind.available)
    func runConstraintsOverride(kind: StoreKind) async throws {
        let fixture = try await RunFixture(customers: 10, flows: ["supply": Self.supply], kind: kind)
        let record = try await fixture.run(RunRequest(
            flow: "supply", segment: "all", workers: 1,
            constraints: [
                VolumeConstraint(selector: .offers(["save", "card"]), max: 100),
                VolumeConstraint(selector: .offer("card"), max: 1),
                VolumeConstraint(selector: .channel("email"), max: 2),
            ]))
        let document = try await RunDocument(record, store: fixture.store)
        #expect(document.constraints.map(\.name) == ["offer card", "channel push", "offer gift", "offers save+card", "total", "channel email"])
        #expect(document.constraints.map(\.max) == [1, 4, 0, 100, 100, 2])
        // card: C0010 only; push: C0001...C0004; email: C0010's card and C0005's save, then full.
        #expect(document.constraints.map(\.used) == [1, 4, 0, 2, 6, 2])
        let planner = RunPlanner(library: fixture.library, store: fixture.store)
        for bad in [
            VolumeConstraint(selector: .offer("nope"), max: 1), VolumeConstraint(selector: .total, max: -1),
            VolumeConstraint(selector: .offers(["card", "card"]), max: 1),
        ] {
            await #expect(throws: RunError.self) {
                _ = try await planner.plan(RunRequest(flow: "supply", segment: "all", constraints: [bad]))
            }
        }
        await #expect(throws: RunError.self) {
            _ = try await planner.plan(RunRequest(
                flow: "supply", segment: "all",
                constraints: [VolumeConstraint(selector: .offers(["a", "b"].map { _ in "card" }.reversed()), max: 1)]))
        }
    }

    @Test("random allocations never exceed a cap, and no dropped pair could have been accepted", arguments: StoreKind.available)
    func allocationInvariants(kind: StoreKind) async throws {
        let fixture = try await RunFixture(customers: 300, flows: ["random": Self.random], kind: kind)
        let first = try await fixture.run(RunRequest(flow: "random", segment: "all", workers: 2, batchSize: 7, seed: 11, chunkSize: 50))
        let second = try await fixture.run(RunRequest(flow: "random", segment: "all", workers: 1, batchSize: 1000, seed: 11))
        #expect(try await fixture.export(first.id) == fixture.export(second.id))
        if kind != .sqlite {
            // The same run on a SQLite file allocates exactly the same.
            let sqlite = try await RunFixture(customers: 300, flows: ["random": Self.random], kind: .sqlite)
            let single = try await sqlite.run(RunRequest(flow: "random", segment: "all", workers: 1, seed: 11))
            #expect(try await sqlite.export(single.id) == fixture.export(first.id))
        }
        let document = try await RunDocument(first, store: fixture.store)
        let constraints = first.options.constraints
        struct Pair {
            let customer: String
            let offer: String
            let channel: String
            let score: Double
            let reason: String?
        }
        var pairs: [Pair] = []
        try await fixture.store.exportResults(runId: first.id, withDropped: true) { result in
            pairs += result.recommendations.map { Pair(customer: result.customerId, offer: $0.offerId, channel: $0.channel, score: $0.score ?? 0, reason: nil) }
            pairs += (result.dropped ?? []).map { Pair(customer: result.customerId, offer: $0.offerId, channel: $0.channel, score: $0.score, reason: $0.reason) }
        }
        #expect(pairs.count == document.stageFunnel.last?.received)
        pairs.sort { ($0.score, $1.customer) > ($1.score, $0.customer) }
        for (index, constraint) in constraints.enumerated() {
            let used = pairs.count { $0.reason == nil && constraint.selector.matches(offerId: $0.offer, channel: $0.channel) }
            #expect(used <= constraint.max)
            #expect(used == document.constraints[index].used)
        }
        var acceptedBefore: [String: Int] = [:]
        var usedBefore = [Int](repeating: 0, count: constraints.count)
        for pair in pairs {
            let matching = constraints.indices.filter { constraints[$0].selector.matches(offerId: pair.offer, channel: pair.channel) }
            switch pair.reason {
            case nil:
                acceptedBefore[pair.customer, default: 0] += 1
                for index in matching { usedBefore[index] += 1 }
            case "max_offers reached":
                #expect(acceptedBefore[pair.customer, default: 0] == 2)
            case let reason?:
                let full = try #require(matching.first { usedBefore[$0] == constraints[$0].max }, "\(reason)")
                #expect(reason == constraints[full].fullReason)
                #expect(acceptedBefore[pair.customer, default: 0] < 2)
            }
        }
    }

    @Test("a run with constraints cancelled while deciding allocates what it decided and ends cancelled, partial", arguments: StoreKind.available)
    func cancelledWhileDeciding(kind: StoreKind) async throws {
        let fixture = try await RunFixture(customers: 300, flows: ["random": Self.random], kind: kind)
        let store = fixture.store
        let record = try await RunPlanner(library: fixture.library, store: store)
            .create(RunRequest(flow: "random", segment: "all", workers: 1, batchSize: 10, chunkSize: 100))
        // One of its three chunks is decided, then a cancellation is asked for while the others wait.
        _ = try await store.startRun(id: record.id)
        let worker = WorkerRegistration(name: "first", host: "here", pid: 1, threads: 1, runId: nil)
        try await store.registerWorker(worker)
        var runners = ChunkRunner.Cache()
        let claim = try #require(try await store.claimChunk(workerId: worker.id, runId: record.id, lease: LeasePolicy(seconds: 60)))
        _ = try await runners.runner(for: record.id, store: store).work(claim, store: store, stop: StopSignal()) { _ in }
        try await store.unregisterWorker(id: worker.id)
        try await store.requestCancel(runId: record.id)
        let ended = try await RunExecutor(store: store).execute(runId: record.id)
        #expect(ended.status == .cancelled)
        #expect(ended.partial)
        #expect(ended.constraintTallies != nil)
        let document = try await RunDocument(ended, store: fixture.store)
        #expect(document.summary?.totalRecommendations == document.constraints.last?.used)
        #expect(document.stageFunnel.last?.kind == "volume")
    }

    @Test("an allocation whose holder died is taken over and gives the same result, an earlier attempt's drops discarded")
    func allocationTakenOver() async throws {
        let fixture = try await RunFixture(customers: 300, flows: ["random": Self.random], kind: .sqlite)
        let reference = try await fixture.run(RunRequest(flow: "random", segment: "all", workers: 1, seed: 5))
        let expected = try await fixture.export(reference.id)
        let record = try await RunPlanner(library: fixture.library, store: fixture.store)
            .create(RunRequest(flow: "random", segment: "all", workers: 1, seed: 5))
        // A worker decides every customer, then claims the allocation and dies holding it.
        let dead = WorkerRegistration(name: "dead", host: "here", pid: 1, threads: 1, runId: nil)
        try await fixture.store.registerWorker(dead)
        _ = try await fixture.store.startRun(id: record.id)
        var runners = ChunkRunner.Cache()
        while let claim = try await fixture.store.claimChunk(workerId: dead.id, runId: record.id, lease: LeasePolicy(seconds: 1)) {
            if claim.isAllocation {
                // It had recorded drops of its own before it died.
                try await DatabaseQueue(path: fixture.databasePath).write { db in
                    let seq = try Int64.fetchOne(db, sql: "SELECT seq FROM run WHERE id = ?", arguments: [record.id]) ?? 0
                    try db.execute(
                        sql: "INSERT INTO run_drop SELECT run_seq, customer_id, rank, 1 FROM run_result WHERE run_seq = ?", arguments: [seq])
                }
                break
            }
            let runner = try await runners.runner(for: record.id, store: fixture.store)
            _ = try await runner.work(claim, store: fixture.store, stop: StopSignal()) { _ in }
        }
        #expect(try await fixture.store.run(id: record.id).phase == .allocating)
        #expect(try await RunDocument(try await fixture.store.run(id: record.id), store: fixture.store).phase == "allocating")
        // Its lease runs out; another executor takes the allocation over.
        let ended = try await RunExecutor(store: fixture.store, lease: LeasePolicy(seconds: 0)).execute(runId: record.id)
        #expect(ended.status == .completed)
        #expect(try await fixture.export(record.id) == expected)
    }

    @Test("a run with constraints killed with SIGKILL while deciding resumes into the result of an uninterrupted run", arguments: StoreKind.available)
    func killedWhileDeciding(kind: StoreKind) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: RunRecoveryTests.binary.path), "build the decide product first")
        let fixture = try await RunFixture(customers: 3000, flows: ["slow": RunRecoveryTests.slowFlow], kind: kind)
        let caps = [VolumeConstraint(selector: .total, max: 2000), VolumeConstraint(selector: .channel("push"), max: 300)]
        let reference = try await fixture.run(RunRequest(flow: "slow", segment: "all", workers: 2, batchSize: 100, constraints: caps))
        let expected = try await fixture.export(reference.id)
        func decide(_ arguments: [String], lease: String) -> ChildProcess {
            ChildProcess(RunRecoveryTests.binary, arguments + ["--db", fixture.databasePath],
                         environment: ["DECIDE_FLOWS": fixture.library.directory, "DECIDE_RUN_LEASE_SECONDS": lease])
        }
        let running = try decide(
            ["run", "slow", "--segment", "all", "--workers", "1", "--batch-size", "100", "--volume", "total=2000",
             "--volume", "channel:push=300", "--quiet"], lease: "30").start()
        var interruptedId: String?
        for _ in 0..<4000 {
            if let run = try await fixture.store.runs(status: .running, limit: 5, offset: 0).runs.first, run.progress.processed >= 500 {
                interruptedId = run.id
                break
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        running.kill(SIGKILL)
        _ = try await running.finish()
        let id = try #require(interruptedId, "the run was not seen mid-way")
        #expect(try await fixture.store.run(id: id).phase == .deciding)
        let resume = try await decide(["runs", "resume", id, "--quiet"], lease: "0").run()
        #expect(resume.status == 0, "\(resume.error)")
        let resumed = try await fixture.store.run(id: id)
        #expect(resumed.status == .completed)
        #expect(try await fixture.export(id) == expected)
        #expect(resumed.constraintTallies == reference.constraintTallies)
    }
}
