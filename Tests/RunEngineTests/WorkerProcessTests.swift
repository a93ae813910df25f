import DecideStore
import DecisionEngine
import Foundation
import GRDB
import TestSupport
import Testing

@testable import RunEngine

/// Real `decide worker` processes sharing runs through one store: killed, paused past their lease, cancelled. Every
/// wait is on something the store shows (a worker holding a chunk, a run ending), never on a fixed delay.
@Suite("Worker processes")
struct WorkerProcessTests {
    /// A lease short enough that a dead or paused worker's chunk is taken over within the test, long enough that a
    /// live worker on a loaded machine keeps its own (it heartbeats three times per lease).
    static let lease = "2"

    private func decide(_ fixture: RunFixture, _ arguments: [String]) -> ChildProcess {
        ChildProcess(RunRecoveryTests.binary, arguments + ["--db", fixture.databasePath],
                     environment: ["DECIDE_FLOWS": fixture.library.directory, "DECIDE_RUN_LEASE_SECONDS": Self.lease])
    }

    private func worker(_ fixture: RunFixture, _ name: String) throws -> RunningChild {
        try decide(fixture, ["worker", "--workers", "1", "--name", name]).start()
    }

    /// Polls the store until `condition` holds, failing after two minutes.
    private func waitUntil(_ what: String, in fixture: RunFixture, _ condition: () throws -> Bool) async throws {
        let clock = ContinuousClock()
        let patience = clock.now + .seconds(120)
        while try !condition() {
            let workers = try fixture.store.workers(lease: LeasePolicy(seconds: 60))
            try #require(clock.now < patience, "never saw: \(what); live workers: \(workers)")
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The chunk (`RUN#N`) the live worker `name` holds, if any.
    private func chunk(heldBy name: String, in fixture: RunFixture) throws -> String? {
        try fixture.store.workers(lease: LeasePolicy(seconds: 60)).first { $0.name == name }?.chunk
    }

    /// The fencing token of the run's chunk `number` (one run per fixture), read from the store's file.
    private func chunkToken(_ number: Int, in fixture: RunFixture) throws -> Int64 {
        try DatabaseQueue(path: fixture.databasePath).read {
            try Int64.fetchOne($0, sql: "SELECT token FROM run_chunk WHERE chunk = ?", arguments: [number]) ?? 0
        }
    }

    /// A reference run of the slow flow in this process, and a detached copy of it (same audience and seed) in
    /// chunks of 400 for the workers.
    private func runs(_ fixture: RunFixture) async throws -> (expected: [String], detached: RunRecord) {
        let request = RunRequest(flow: "slow", segment: "all", workers: 1, batchSize: 100, seed: 3)
        let expected = try fixture.export(try await fixture.run(request).id)
        var chunked = request
        chunked.chunkSize = 400
        return (expected, try await RunPlanner(library: fixture.library, store: fixture.store).create(chunked))
    }

    @Test("three workers share a run; one is killed with SIGKILL mid-chunk and a fourth joins: the results equal a single-process run's")
    func killedWorker() async throws {
        let fixture = try RunFixture(customers: 4000, flows: ["slow": RunRecoveryTests.slowFlow])
        let (expected, run) = try await runs(fixture)
        let workers = try ["w1", "w2", "w3"].map { try worker(fixture, $0) }
        try await waitUntil("w2 holding a chunk after committing customers", in: fixture) {
            try chunk(heldBy: "w2", in: fixture) != nil
                && (try fixture.store.participants(runId: run.id).first { $0.name == "w2" }?.customers ?? 0) > 0
        }
        workers[1].kill(SIGKILL)
        _ = try await workers[1].finish()
        let fourth = try worker(fixture, "w4")
        let wait = try await decide(fixture, ["runs", "wait", run.id, "--timeout", "300"]).run(timeout: .seconds(320))
        #expect(wait.status == 0, "\(wait.output) \(wait.error)")
        #expect(try fixture.export(run.id) == expected)
        let ended = try fixture.store.run(id: run.id)
        #expect(ended.status == .completed && ended.summary.totalCustomers == 4000)
        let participants = try fixture.store.participants(runId: run.id)
        #expect(participants.map(\.customers).reduce(0, +) == 4000)
        #expect(participants.contains { $0.name == "w2" })
        for live in [workers[0], workers[2], fourth] {
            live.kill(SIGTERM)
            #expect(try await live.finish().status == 0)
        }
    }

    @Test("a worker paused with SIGSTOP past its lease cannot commit once continued: its chunk was taken over and nothing is duplicated")
    func pausedWorker() async throws {
        let fixture = try RunFixture(customers: 3000, flows: ["slow": RunRecoveryTests.slowFlow])
        let (expected, run) = try await runs(fixture)
        let first = try worker(fixture, "w1")
        var held: String?
        while held == nil {
            try await waitUntil("w1 holding a chunk after committing customers", in: fixture) {
                try chunk(heldBy: "w1", in: fixture) != nil
                    && (try fixture.store.participants(runId: run.id).first { $0.name == "w1" }?.customers ?? 0) > 0
            }
            first.kill(SIGSTOP)
            held = try chunk(heldBy: "w1", in: fixture)
            if held == nil { first.kill(SIGCONT) }
        }
        let taken = try #require(held)
        let number = try #require(Int(taken.split(separator: "#").last ?? ""))
        let token = try chunkToken(number, in: fixture)
        let second = try worker(fixture, "w2")
        // Taken over: the chunk's token moved on (a new claim), whether w2 still holds it or has finished it.
        try await waitUntil("w2 taking over \(taken)", in: fixture) { try chunkToken(number, in: fixture) > token }
        first.kill(SIGCONT)
        let wait = try await decide(fixture, ["runs", "wait", run.id, "--timeout", "300"]).run(timeout: .seconds(320))
        #expect(wait.status == 0, "\(wait.output) \(wait.error)")
        #expect(try fixture.export(run.id) == expected)
        #expect(try fixture.store.run(id: run.id).summary.totalCustomers == 3000)
        for live in [first, second] {
            live.kill(SIGTERM)
            #expect(try await live.finish().status == 0)
        }
    }

    @Test("cancelling a run three workers execute reaches every one of them; they stay up for the next run")
    func cancelAcrossWorkers() async throws {
        // Ten times slower than the slow flow: the run outlasts the workers' start on a loaded machine by far.
        let crawl = RunRecoveryTests.slowFlow.replacingOccurrences(of: "for i = 1, 12000 do end", with: "for i = 1, 120000 do end")
        let fixture = try RunFixture(customers: 20000, flows: ["slow": crawl])
        var request = RunRequest(flow: "slow", segment: "all", workers: 1, batchSize: 50)
        request.chunkSize = 500
        let run = try await RunPlanner(library: fixture.library, store: fixture.store).create(request)
        let workers = try ["w1", "w2", "w3"].map { try worker(fixture, $0) }
        try await waitUntil("every worker committing customers of the run", in: fixture) {
            try fixture.store.participants(runId: run.id).filter { $0.customers > 0 }.count == 3
        }
        let cancel = try await decide(fixture, ["runs", "cancel", run.id]).run()
        #expect(cancel.status == 0, "\(cancel.error)")
        let wait = try await decide(fixture, ["runs", "wait", run.id, "--timeout", "300"]).run(timeout: .seconds(320))
        #expect(wait.status == 1)
        let ended = try fixture.store.run(id: run.id)
        #expect(ended.status == .cancelled && ended.partial)
        try await waitUntil("no worker holding a chunk of the cancelled run", in: fixture) {
            try ["w1", "w2", "w3"].allSatisfy { try chunk(heldBy: $0, in: fixture) == nil }
        }
        let after = try fixture.store.run(id: run.id).summary.totalCustomers
        #expect(after < 20000)
        let next = try await RunPlanner(library: fixture.library, store: fixture.store)
            .create(RunRequest(flow: "simple", segment: "all", workers: 1, batchSize: 1000))
        let done = try await decide(fixture, ["runs", "wait", next.id, "--timeout", "300"]).run(timeout: .seconds(320))
        #expect(done.status == 0, "\(done.error)")
        for live in workers {
            live.kill(SIGTERM)
            #expect(try await live.finish().status == 0)
        }
    }
}
