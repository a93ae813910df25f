import DecideStore
import DecisionEngine
import Foundation
import TestSupport
import Testing

@testable import RunEngine

/// The process running a run dies (`kill -9`); the next command finds the run interrupted, and `decide runs resume`
/// ends it with exactly the results of an uninterrupted run.
@Suite("Recovering interrupted runs")
struct RunRecoveryTests {
    /// The `decide` binary, built next to this test bundle.
    static let binary: URL = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("decide")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/decide")
    }()

    static let slowFlow = """
        return flow {
          name = "Slow",
          offers = { { id = "a", name = "A", value = 1 }, { id = "b", name = "B", value = 2 } },
          stages = {
            filter("spin", function(c, o) for i = 1, 12000 do end return o.id == "a" or c.age % 2 == 0 end),
            score("value", function(c, o) return o.value end),
            rank {},
            channel("reach", function(c, o) return c.app_user and "push" or "email" end),
          },
        }
        """

    private func decide(_ fixture: RunFixture, _ arguments: [String], lease: String = "30") -> ChildProcess {
        ChildProcess(Self.binary, arguments + ["--db", fixture.databasePath],
                     environment: ["DECIDE_FLOWS": fixture.library.directory, "DECIDE_RUN_LEASE_SECONDS": lease])
    }

    @Test("kill -9 in the middle, then resume, equals an uninterrupted run", arguments: StoreKind.available)
    func killAndResume(kind: StoreKind) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the decide product first")
        let fixture = try await RunFixture(customers: 3000, flows: ["slow": Self.slowFlow], kind: kind)
        let reference = try await fixture.run(RunRequest(flow: "slow", segment: "all", workers: 2, batchSize: 100))
        let expected = try await fixture.export(reference.id)

        let running = try decide(fixture, ["run", "slow", "--segment", "all", "--workers", "1", "--batch-size", "100", "--quiet"]).start()
        var interruptedId: String?
        for _ in 0..<2000 {
            let runs = try await fixture.store.runs(status: .running, limit: 5, offset: 0).runs
            if let run = runs.first, run.progress.processed >= 500 {
                interruptedId = run.id
                break
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        running.kill(SIGKILL)
        let killed = try await running.finish()
        // A slow flow keeps the run going long enough that the poll sees it mid-way even on a loaded machine.
        let id = try #require(interruptedId, "the run was not seen mid-way (exit status \(killed.status): \(killed.error))")
        let left = try await fixture.store.run(id: id)
        #expect(left.status == .running)
        #expect(left.progress.processed < 3000)

        let resume = try await decide(fixture, ["runs", "resume", id, "--quiet"], lease: "0").run()
        #expect(resume.status == 0, "\(resume.error)")
        let resumed = try await fixture.store.run(id: id)
        #expect(resumed.status == .completed)
        #expect(resumed.summary.totalCustomers == 3000)
        #expect(try await fixture.export(id) == expected)
        let events = try await fixture.store.events(runId: id).map(\.status)
        #expect(events.contains(.failed))
        #expect(events.last == .completed)
    }

    @Test("decide runs cancel from another process stops a running run after its batch, keeping partial results", arguments: StoreKind.available)
    func cancelFromAnotherProcess(kind: StoreKind) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the decide product first")
        let fixture = try await RunFixture(customers: 20000, flows: ["slow": Self.slowFlow], kind: kind)
        let record = try await RunPlanner(library: fixture.library, store: fixture.store)
            .create(RunRequest(flow: "slow", segment: "all", workers: 1, batchSize: 100))
        let clock = ContinuousClock()
        let executor = RunExecutor(store: fixture.store)
        async let ended = executor.execute(runId: record.id)
        let patience = clock.now + .seconds(60)
        while try await fixture.store.run(id: record.id).progress.processed == 0 {
            try #require(clock.now < patience, "the run processed nothing within a minute")
            try await Task.sleep(for: .milliseconds(5))
        }
        let cancel = try await decide(fixture, ["runs", "cancel", record.id]).run()
        #expect(cancel.status == 0, "\(cancel.error)")
        let result = try await ended
        #expect(result.status == .cancelled)
        #expect(result.partial)
        #expect(result.summary.totalCustomers < 20000)
    }

    @Test("Ctrl-C stops decide run after a batch and leaves the run interrupted, resumable at once", arguments: StoreKind.available)
    func interruptInForeground(kind: StoreKind) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the decide product first")
        let fixture = try await RunFixture(customers: 100_000, flows: ["slow": Self.slowFlow], kind: kind)
        let running = try decide(fixture, ["run", "slow", "--segment", "all", "--workers", "1", "--batch-size", "100"]).start()
        let clock = ContinuousClock()
        let patience = clock.now + .seconds(60)
        while true {
            let run = try await fixture.store.runs(status: nil, limit: 1, offset: 0).runs.first
            if let run, run.progress.processed > 0 {
                try #require(run.status == .running, "the run ended before it could be interrupted: \(run.status)")
                break
            }
            try #require(clock.now < patience, "the run processed nothing within a minute")
            try await Task.sleep(for: .milliseconds(5))
        }
        running.kill(SIGINT)
        let outcome = try await running.finish(timeout: .seconds(30))
        #expect(outcome.status == 1)
        let id = try #require(try await fixture.store.runs(status: nil, limit: 1, offset: 0).runs.first?.id)
        #expect(outcome.error.contains("continue with: decide runs resume \(id)"), "\(outcome.error)")
        let stopped = try await fixture.store.run(id: id)
        #expect(stopped.status == .failed && stopped.interrupted)
        #expect(stopped.progress.processed < 100_000)
    }

    @Test("decide runs export into a reader that stops early (| head) ends with 141, as SIGPIPE ends a tool, without a crash", arguments: StoreKind.available)
    func exportToClosedPipe(kind: StoreKind) async throws {
        let fixture = try await RunFixture(customers: 30000, kind: kind)
        let done = try await fixture.run(RunRequest(flow: "simple", segment: "all"))
        for format in ["csv", "jsonl"] {
            let command = [Self.binary.path, "runs", "export", done.id, "--format", format, "--db", fixture.databasePath]
                .map { "'\($0)'" }.joined(separator: " ")
            let piped = try await ChildProcess(
                URL(fileURLWithPath: "/bin/bash"), ["-c", "\(command) | head -c 100 > /dev/null; echo ${PIPESTATUS[0]}"],
                environment: ["DECIDE_FLOWS": fixture.library.directory]
            ).run()
            #expect(piped.output == "141\n", "\(format): \(piped.output) \(piped.error)")
            #expect(!piped.error.contains("Fatal error"), "\(format): \(piped.error)")
        }
    }

    @Test("printed output (a results table, a JSON document) into a reader that has gone ends with 141, and into a full disk ends with 1 and says so", arguments: StoreKind.available)
    func printToFailingOutput(kind: StoreKind) async throws {
        let fixture = try await RunFixture(customers: 5000, kind: kind)
        let done = try await fixture.run(RunRequest(flow: "simple", segment: "all"))
        for json in ["", " --json"] {
            // Far more than a pipe holds: the write blocks until `true` has gone without reading, then fails.
            let command = [Self.binary.path, "runs", "results", done.id, "--limit", "5000", "--db", fixture.databasePath]
                .map { "'\($0)'" }.joined(separator: " ") + json
            let piped = try await ChildProcess(
                URL(fileURLWithPath: "/bin/bash"), ["-c", "\(command) | true; echo ${PIPESTATUS[0]}"]
            ).run()
            #expect(piped.output == "141\n", "\(json): \(piped.output) \(piped.error)")
            let full = try await ChildProcess(
                URL(fileURLWithPath: "/bin/bash"), ["-c", "\(command) > /dev/full"]
            ).run()
            #expect(full.status == 1, "\(json): \(full.status) \(full.error)")
            #expect(full.error.contains("decide: cannot write standard output: No space left on device"), "\(json): \(full.error)")
        }
    }

    @Test("a finished run cannot be resumed", arguments: StoreKind.available)
    func resumeFinished(kind: StoreKind) async throws {
        let fixture = try await RunFixture(customers: 5, kind: kind)
        let done = try await fixture.run(RunRequest(flow: "simple", segment: "all"))
        await #expect(throws: RunError.self) { try await RunExecutor(store: fixture.store).execute(runId: done.id) }
    }
}
