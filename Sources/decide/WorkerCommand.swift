import ArgumentParser
import DecideStore
import Foundation
import DecideText
import RunEngine

/// `decide worker`: a long-running process that claims chunks of any pending or running run in the store and
/// executes them, side by side with any number of other workers on this or other machines.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Execute chunks of any pending or running run, with other workers, until stopped.",
        discussion: """
            SIGTERM or Ctrl-C finishes the batch being committed, gives the chunk back and exits 0. The lease \
            (DECIDE_RUN_LEASE_SECONDS, default 30) is how long this process's chunks stay its own after its last \
            heartbeat; a chunk abandoned DECIDE_CHUNK_ATTEMPTS times (default 3) fails its run.
            """
    )

    @OptionGroup var store: StoreOptions
    @Option(help: "Decision threads (default: the number of cores).") var workers: Int?
    @Option(help: "The name this process is listed under (default: HOST:PID).") var name: String?
    @Flag(help: "Log each chunk as a JSON line instead of text.") var json = false

    func validate() throws {
        if let workers, !(1...64).contains(workers) { throw ValidationError("--workers must be 1 to 64, got \(workers)") }
        if let name, !(1...InputLimits.nameCharacters).contains(name.count) {
            throw ValidationError("--name must be 1 to \(InputLimits.nameCharacters) characters")
        }
    }

    func run() async throws {
        let json = self.json
        let lease = try RunsCommand.lease()
        let stop = StopSignal()
        // A store call that never returns (a connection cut while the process was paused) must not keep a stopped
        // worker alive: past the grace, or at a second signal, it exits at once; its chunk returns to the queue when
        // its lease ends.
        let grace = Duration.milliseconds(Int(max(5, 2 * lease.seconds) * 1000))
        let signals = SignalWatch {
            if stop.isRaised { Foundation.exit(0) }
            stop.raise()
            Task.detached {
                try? await Task.sleep(for: grace)
                log(json, ["event": "stop-timeout", "graceSeconds": grace / .seconds(1)])
                Foundation.exit(0)
            }
        }
        defer { signals.cancel() }
        guard let store = try await self.store.openRetrying(until: stop, log: { message, retry in
            log(json, ["event": "store-unreachable", "error": message, "retryInSeconds": retry])
        }) else {
            log(json, ["event": "stopped", "name": name ?? RunExecutor.defaultName])
            return
        }
        let executor = RunExecutor(store: store, lease: lease, name: name)
        let threads = workers ?? ProcessInfo.processInfo.activeProcessorCount
        log(json, ["event": "started", "name": executor.name, "threads": threads])
        try await executor.work(threads: threads, until: stop) { claim, run in
            log(json, [
                "event": "chunk", "run": claim.runId, "chunk": claim.chunk, "status": run.status.rawValue,
                "processed": run.progress.processed, "total": run.progress.total ?? 0,
            ])
        } onTrouble: { error, retry in
            log(json, ["event": "store-failed", "error": "\(error)", "retryInSeconds": retry])
        }
        log(json, ["event": "stopped", "name": executor.name])
    }
}

/// One line of a worker's log on standard error: JSON, or `key=value` pairs.
private func log(_ json: Bool, _ fields: [String: any Sendable]) {
    var standardError = StandardError()
    if json, let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) {
        print(String(decoding: data, as: UTF8.self), to: &standardError)
    } else {
        let event = fields["event"].map { "\($0)" } ?? ""
        let rest = fields.filter { $0.key != "event" }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        print((["decide worker: \(event)"] + rest).joined(separator: " "), to: &standardError)
    }
}

/// `decide workers`: the live worker processes.
struct WorkersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workers",
        abstract: "List the live worker processes: name, host, start, last heartbeat and the chunk each holds."
    )

    @OptionGroup var store: StoreOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let store = try await self.store.open()
        let workers = try await store.workers(lease: try RunsCommand.lease())
        if json { return try JSONOutput.print(["workers": workers]) }
        let format = ISO8601DateFormatter()
        print(TextTable(headers: ["NAME", "HOST", "PID", "THREADS", "STARTED", "HEARTBEAT", "CHUNK"], rows: workers.map {
            [$0.name, $0.host, String($0.pid), String($0.threads), format.string(from: $0.startedAt),
             format.string(from: $0.heartbeatAt), $0.chunk ?? "-"]
        }).render())
    }
}
