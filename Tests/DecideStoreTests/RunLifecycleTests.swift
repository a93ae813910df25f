import DecideStore
import Foundation
import GRDB
import Testing
import TestSupport

/// Creating, listing, moving, cancelling and deleting runs, and finding interrupted ones.
@Suite("Run lifecycle")
struct RunLifecycleTests {
    @Test("a run is created pending with its description, and read back the same", arguments: StoreKind.available)
    func create(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        let run = try await temporary.createRun()
        #expect(run.status == .pending)
        #expect(run.id.hasPrefix("r-") && run.id.count == 22)
        #expect(run.segment == "all" && run.filter == nil)
        #expect(run.options == RunOptions(workers: 2, batchSize: 100, seed: 7, maxErrors: 5))
        #expect(run.flowSnapshot == #"{"key":"retention"}"#)
        #expect(run.startedAt == nil && run.finishedAt == nil && run.error == nil && run.progress.total == nil)
        #expect(try await temporary.store.run(id: run.id) == run)
        #expect(try await temporary.store.events(runId: run.id).map(\.status) == [.pending])
    }

    @Test("a run needs exactly one of segment and filter, and options in range", arguments: StoreKind.available)
    func invalidRuns(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        let options = RunOptions(workers: 1, batchSize: 10)
        for new in [
            NewRun(name: "both", flowKey: "f", flowVersion: "v", flowSnapshot: "{}", segment: "all", filter: "age > 3", options: options),
            NewRun(name: "neither", flowKey: "f", flowVersion: "v", flowSnapshot: "{}", options: options),
            NewRun(name: "workers", flowKey: "f", flowVersion: "v", flowSnapshot: "{}", filter: "age > 3",
                   options: RunOptions(workers: 0, batchSize: 10)),
        ] {
            await #expect { try await temporary.store.createRun(new) } throws: { ($0 as? StoreError)?.code == .invalidArgument }
        }
        #expect(try await temporary.store.runs(status: nil, limit: 10, offset: 0).total == 0)
    }

    @Test("an unknown run id is reported with the id", arguments: StoreKind.available)
    func unknownRun(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        let error = try await #require(throws: StoreError.self) { try await temporary.store.run(id: "r-nope") }
        #expect(error.code == .runNotFound && error.value == "r-nope")
        await #expect(throws: StoreError.self) { try await temporary.store.transition(runId: "r-nope", to: .running, message: nil, error: nil) }
        await #expect(throws: StoreError.self) { try await temporary.store.offerBreakdown(runId: "r-nope") }
        await #expect(throws: StoreError.self) { try await temporary.store.deleteRun(id: "r-nope") }
    }

    @Test("runs are listed newest first, filtered by status and paged, with the total", arguments: StoreKind.available)
    func listing(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        var ids: [String] = []
        for number in 0..<5 { ids.append(try await temporary.createRun(name: "run \(number)").id) }
        try await temporary.store.transition(runId: ids[1], to: .running, message: nil, error: nil)
        try await temporary.store.transition(runId: ids[3], to: .running, message: nil, error: nil)
        let all = try await temporary.store.runs(status: nil, limit: 10, offset: 0)
        #expect(all.runs.map(\.id) == ids.reversed() && all.total == 5)
        let page = try await temporary.store.runs(status: nil, limit: 2, offset: 2)
        #expect(page.runs.map(\.id) == [ids[2], ids[1]] && page.total == 5)
        let running = try await temporary.store.runs(status: .running, limit: 1, offset: 0)
        #expect(running.runs.map(\.id) == [ids[3]] && running.total == 2)
    }

    @Test("the legal moves succeed, set the times and are recorded as events", arguments: StoreKind.available)
    func legalMoves(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        let run = try await temporary.createRun()
        let started = try await temporary.store.transition(runId: run.id, to: .running, message: "go", error: nil)
        #expect(started.status == .running && started.startedAt != nil && started.heartbeatAt != nil && started.finishedAt == nil)
        let done = try await temporary.store.transition(runId: run.id, to: .completed, message: "done", error: nil)
        #expect(done.status == .completed && done.finishedAt != nil && done.startedAt == started.startedAt)
        let events = try await temporary.store.events(runId: run.id)
        #expect(events.map(\.status) == [.pending, .running, .completed])
        #expect(events.map(\.message) == [nil, "go", "done"])

        let failing = try await temporary.createRun()
        let failure = RunFailure(message: "attempt to index a nil value", file: "flows/retention.lua", line: 12, customerId: "c42")
        let failed = try await temporary.store.transition(runId: failing.id, to: .failed, message: nil, error: failure)
        #expect(failed.error == failure && failed.interrupted == false && failed.finishedAt != nil)

        let cancelled = try await temporary.store.transition(runId: try await temporary.createRun().id, to: .cancelled, message: nil, error: nil)
        #expect(cancelled.status == .cancelled)
    }

    @Test("every illegal move throws illegalTransition naming both statuses and changes nothing", arguments: StoreKind.available)
    func illegalMoves(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        let failure = RunFailure(message: "boom")
        for from in RunStatus.allCases {
            for to in RunStatus.allCases where !from.canMove(to: to, interrupted: false) {
                let run = try await temporary.createRun()
                switch from {
                case .pending: break
                case .running: try await temporary.store.transition(runId: run.id, to: .running, message: nil, error: nil)
                case .completed, .cancelled:
                    try await temporary.store.transition(runId: run.id, to: .running, message: nil, error: nil)
                    try await temporary.store.transition(runId: run.id, to: from, message: nil, error: nil)
                case .failed: try await temporary.store.transition(runId: run.id, to: .failed, message: nil, error: failure)
                }
                let error = try await #require(throws: StoreError.self) {
                    try await temporary.store.transition(runId: run.id, to: to, message: nil, error: to == .failed ? failure : nil)
                }
                #expect(error.code == .illegalTransition)
                #expect(error.message.contains("from \(from) to \(to)"))
                #expect(try await temporary.store.run(id: run.id).status == from)
            }
        }
    }

    @Test("failing needs an error", arguments: StoreKind.available)
    func failWithoutError(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        let run = try await temporary.createRun()
        await #expect { try await temporary.store.transition(runId: run.id, to: .failed, message: nil, error: nil) } throws: {
            ($0 as? StoreError)?.code == .invalidArgument
        }
    }

    @Test("a running run with a stale heartbeat is found, marked interrupted, and can resume")
    func interrupted() async throws {
        let temporary = try TemporaryStore()
        let run = try await temporary.startRun(total: 10)
        let fresh = try await temporary.startRun(total: 10)
        _ = try await temporary.createRun()
        // The first run's process last beat ten minutes ago (written as the store writes its own heartbeats).
        try await DatabaseQueue(path: temporary.path).write { db in
            try db.execute(sql: "UPDATE run SET heartbeat_at = ? WHERE id = ?", arguments: [Date().addingTimeInterval(-600), run.id])
        }
        try await temporary.store.heartbeat(runId: fresh.id)
        #expect(try await temporary.store.interruptedRuns(olderThan: 3600).isEmpty)
        #expect(try await temporary.store.interruptedRuns(olderThan: 300).map(\.id) == [run.id])

        let marked = try await temporary.store.markInterrupted(olderThan: 300)
        #expect(marked.map(\.id) == [run.id])
        let failed = try await temporary.store.run(id: run.id)
        #expect(failed.status == .failed && failed.interrupted && failed.error?.message == RunFailure.interruptedMessage)
        #expect(try await temporary.store.run(id: fresh.id).status == .running)

        let resumed = try await temporary.store.transition(runId: run.id, to: .running, message: "resumed", error: nil)
        #expect(resumed.status == .running && resumed.error == nil && !resumed.interrupted && resumed.startedAt == run.startedAt)
        #expect(try await temporary.store.events(runId: run.id).map(\.status) == [.pending, .running, .failed, .running])
    }

    @Test("a run that failed with an error does not resume", arguments: StoreKind.available)
    func failedDoesNotResume(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        let run = try await temporary.startRun()
        try await temporary.store.transition(runId: run.id, to: .failed, message: nil, error: RunFailure(message: "too many errors"))
        let error = try await #require(throws: StoreError.self) {
            try await temporary.store.transition(runId: run.id, to: .running, message: nil, error: nil)
        }
        #expect(error.code == .illegalTransition)
    }

    @Test("a cancel asked by one process is seen by another on the same file")
    func cancelAcrossProcesses() async throws {
        let temporary = try TemporaryStore()
        let executing = temporary.store
        let asking = try SQLiteCustomerStore(path: temporary.path)
        let run = try await temporary.startRun()
        #expect(try await executing.isCancelRequested(runId: run.id) == false)
        try asking.requestCancel(runId: run.id)
        #expect(try await executing.isCancelRequested(runId: run.id))
        let cancelled = try await executing.transition(runId: run.id, to: .cancelled, message: "cancel requested", error: nil)
        #expect(try asking.run(id: run.id) == cancelled)
    }

    @Test("deleting a run deletes its events, results and breakdowns")
    func delete() async throws {
        let temporary = try TemporaryStore()
        let run = try await temporary.startRun()
        let kept = try await temporary.startRun()
        for id in [run.id, kept.id] {
            try await temporary.store.commitBatch(.test(id, [TestCustomer(id: "c1", recommendations: [("gold", "email", 1)])], stages: [(1, 0)]))
        }
        let refused = try await #require(throws: StoreError.self) { try await temporary.store.deleteRun(id: run.id) }
        #expect(refused.code == .runActive)
        _ = try await temporary.store.transition(runId: run.id, to: .completed, message: nil, error: nil)
        try await temporary.store.deleteRun(id: run.id)
        await #expect(throws: StoreError.self) { try await temporary.store.run(id: run.id) }
        await #expect(throws: StoreError.self) { try await temporary.store.exportResults(runId: run.id) { _ in } }
        #expect(try await temporary.store.runs(status: nil, limit: 10, offset: 0).runs.map(\.id) == [kept.id])
        #expect(try await temporary.store.results(runId: kept.id, customerId: nil, offerId: nil, channel: nil, failedOnly: false, limit: 10, offset: 0).total == 1)
        let tables = ["run_event", "run_customer", "run_result", "run_offer_count", "run_channel_count", "run_rank_count", "run_stage_count"]
        let rows = try await DatabaseQueue(path: temporary.path).read { db in
            try tables.map { try Int.fetchOne(db, sql: "SELECT count(DISTINCT run_seq) FROM \($0)") ?? 0 }
        }
        #expect(rows == Array(repeating: 1, count: tables.count))
    }

    @Test("a store created before runs existed gains the run tables when it opens, its customers kept")
    func upgrade() async throws {
        let temporary = try await TemporaryStore.withPeople()
        let path = temporary.directory.appendingPathComponent("v1.sqlite").path
        var v1 = DatabaseMigrator()
        for (identifier, migrate) in StoreMigrations.all where identifier.hasPrefix("v1.") {
            v1.registerMigration(identifier, migrate: migrate)
        }
        let old = try SQLiteCustomerStore(path: path, migrator: v1)
        _ = try old.importCustomers(from: .file(TemporaryStore.fixture("people.csv")), options: ImportOptions())
        #expect(throws: StoreError.self) { try old.runs(status: nil, limit: 1, offset: 0) }
        let upgraded = try SQLiteCustomerStore(path: path)
        #expect(try upgraded.count(.named("all")) == 6)
        #expect(try upgraded.runs(status: nil, limit: 1, offset: 0).total == 0)
    }

    @Test("pruning deletes finished runs older than the cutoff, keeps the newest and never touches active runs", arguments: StoreKind.available)
    func prune(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        var finished: [String] = []
        for _ in 0..<4 {
            let run = try await temporary.startRun()
            _ = try await temporary.store.transition(runId: run.id, to: .completed, message: nil, error: nil)
            finished.append(run.id)
        }
        let active = try await temporary.startRun()
        let future = Date().addingTimeInterval(3600)
        let listed = try await temporary.store.pruneRuns(createdBefore: future, keepingNewest: 2, dryRun: true)
        #expect(listed == Array(finished.prefix(3)))
        #expect(try await temporary.store.runs(status: nil, limit: 10, offset: 0).total == 5)
        let pruned = try await temporary.store.pruneRuns(createdBefore: future, keepingNewest: 0, dryRun: false)
        #expect(pruned == finished)
        #expect(try await temporary.store.runs(status: nil, limit: 10, offset: 0).runs.map(\.id) == [active.id])
        #expect(try await temporary.store.pruneRuns(createdBefore: Date(timeIntervalSince1970: 0), keepingNewest: 0, dryRun: false).isEmpty)
    }

    @Test("deleting a big run gives its space back, and a store made without incremental vacuum is converted")
    func spaceGivenBack() async throws {
        let temporary = try TemporaryStore()
        let path = temporary.directory.appendingPathComponent("old.sqlite").path
        try await DatabaseQueue(path: path).write { db in try db.execute(sql: "CREATE TABLE placeholder (x)") }
        #expect(try await DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "PRAGMA auto_vacuum") } == 0)
        let store = try SQLiteCustomerStore(path: path)
        #expect(try await DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "PRAGMA auto_vacuum") } == 2)
        let run = try store.createRun(NewRun(
            name: "big", flowKey: "f", flowVersion: "1", flowSnapshot: "{}", segment: "all", filter: nil,
            options: RunOptions(workers: 1, batchSize: 10)))
        _ = try store.transition(runId: run.id, to: .running, message: nil, error: nil)
        let customers = (0..<5000).map { TestCustomer(id: String(format: "c%05d", $0), recommendations: [("gold-offer-with-a-long-id", "email", 1)]) }
        try store.commitBatch(.test(run.id, customers))
        _ = try store.transition(runId: run.id, to: .completed, message: nil, error: nil)
        let pages = { try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "PRAGMA page_count") ?? 0 } }
        let before = try pages()
        try store.deleteRun(id: run.id)
        #expect(try pages() < before)
        #expect(try await DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "PRAGMA freelist_count") } == 0)
    }
}
