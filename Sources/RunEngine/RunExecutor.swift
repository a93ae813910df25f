import DecideStore
import DecisionEngine
import Foundation

/// Executes runs as one worker process among any number: claims chunks of a run's frozen audience, streams each
/// through its worker pool, commits every batch under the chunk's fencing token, honours the error budget and
/// cancellation, and finishes the chunk; the last chunk finished (by whichever process) completes the run.
///
/// ``execute(runId:onProgress:)`` works on one run until it ends (what `decide run`, `decide runs resume`, the REPL
/// and the server's queue do); ``work(until:onChunk:)`` claims chunks of any run until told to stop (what
/// `decide worker` does).
public struct RunExecutor: Sendable {
    /// The store the runs live in, shared with the other workers.
    public let store: any RunQueueStore
    /// How long this process's claims last without a heartbeat, and how often a chunk may be abandoned.
    public let lease: LeasePolicy
    /// This process as the store lists it (`decide workers`, a run's participants).
    public let name: String

    /// An executor over a store, named `name` (default `HOST:PID`).
    public init(store: any RunQueueStore, lease: LeasePolicy = LeasePolicy(), name: String? = nil) {
        self.store = store
        self.lease = lease
        self.name = name ?? Self.defaultName
    }

    /// `HOST:PID`.
    public static var defaultName: String { "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)" }

    /// How often a process with nothing to claim looks again (when the store cannot wake it).
    static let pollInterval: Duration = .milliseconds(200)

    /// Executes the run `runId` to its end, as one of its workers: starts it when pending (or resumes it when
    /// interrupted, or joins it when already running), works on its chunks, and waits for chunks other workers hold.
    ///
    /// - Parameter onProgress: Called after each batch this process commits, with the run's progress across all
    ///   its workers.
    /// - Returns: The run as it ended.
    /// - Throws: ``RunError`` when the run has ended (other than interrupted); store errors. A flow failing for a
    ///   customer is not thrown: it ends the run `failed` (past the error budget).
    ///
    /// When the calling task is cancelled (Ctrl-C, a server shutting down), this process stops after the batch being
    /// committed and gives its chunk back; the run goes on if other workers are alive, and is left interrupted
    /// (resumable) if none is.
    @discardableResult
    public func execute(
        runId: String, onProgress: @escaping @Sendable (RunProgressReport) -> Void = { _ in }
    ) async throws -> RunRecord {
        // The work runs in a task of its own, which the caller's cancellation does not reach: a store call cut off
        // half-way (a PostgreSQL query) would leave the run neither committed nor given back. Cancelling asks the
        // work to stop after its batch instead.
        let stop = StopSignal()
        let work = Task.detached { try await self.execute(runId: runId, until: stop, onProgress: onProgress) }
        return try await withTaskCancellationHandler {
            try await work.value
        } onCancel: {
            stop.raise()
        }
    }

    private func execute(
        runId: String, until stop: StopSignal, onProgress: @escaping @Sendable (RunProgressReport) -> Void
    ) async throws -> RunRecord {
        var record = try await store.run(id: runId)
        guard record.status == .pending || record.status == .running || (record.status == .failed && record.interrupted) else {
            throw RunError(.wrongState, "run \(runId) is \(record.status.rawValue); only a pending or interrupted run can run")
        }
        let registration = WorkerRegistration(
            name: name, host: ProcessInfo.processInfo.hostName, pid: Int(ProcessInfo.processInfo.processIdentifier),
            threads: record.options.workers, runId: runId)
        return try await registered(registration) {
            record = try await store.startRun(id: runId)
            var chunks = ChunkRunner.Cache()
            var estimator = ProgressEstimator(processed: record.progress.processed)
            while record.status == .running {
                if stop.isRaised { break }
                guard let claim = try await store.claimChunk(workerId: registration.id, runId: runId, lease: lease) else {
                    record = try await store.run(id: runId)
                    if record.status == .running && record.cancelRequested {
                        record = try await store.endRun(id: runId, status: .cancelled, message: "cancelled on request", error: nil)
                    }
                    if record.status == .running { await stop.wait(upTo: Self.pollInterval) }
                    continue
                }
                let runner = try await chunks.runner(for: claim.runId, store: store)
                record = try await runner.work(claim, store: store, stop: stop) { batch in
                    var report = estimator.advance(
                        by: batch.customers, processed: batch.pulse.processed, total: batch.pulse.total ?? 0)
                    report.batchRecommendations = batch.recommendations
                    report.batchErrors = batch.errors
                    onProgress(report)
                }
            }
            if stop.isRaised && record.status == .running {
                try await store.unregisterWorker(id: registration.id)
                return try await store.interruptIfAbandoned(runId: runId, lease: lease) ?? record
            }
            return record
        }
    }

    /// Claims and executes chunks of any pending or running run until `stop` is raised, then gives back the chunk
    /// it holds (after the batch being committed) and returns. A store that fails (unreachable, busy) is retried
    /// with a backoff from 0.5 s to 30 s, each failure reported to `onTrouble`.
    ///
    /// - Parameters:
    ///   - threads: Decision threads (Lua states) of this process.
    ///   - onChunk: Called when a chunk ends, with the run as it is then.
    ///   - onTrouble: Called with each failure and the seconds until the next try.
    public func work(
        threads: Int, until stop: StopSignal, onChunk: @escaping @Sendable (ChunkClaim, RunRecord) -> Void = { _, _ in },
        onTrouble: @escaping @Sendable (any Error, Double) -> Void = { _, _ in }
    ) async throws {
        let registration = WorkerRegistration(
            name: name, host: ProcessInfo.processInfo.hostName, pid: Int(ProcessInfo.processInfo.processIdentifier),
            threads: threads, runId: nil)
        var backoff = Self.firstBackoff
        while !stop.isRaised {
            do {
                try await registered(registration) {
                    var chunks = ChunkRunner.Cache()
                    while !stop.isRaised {
                        guard let claim = try await store.claimChunk(workerId: registration.id, runId: nil, lease: lease) else {
                            // Woken by the store when work appears (PostgreSQL), polling every second otherwise.
                            _ = await store.waitForWork(upTo: Self.pollInterval * 5)
                            continue
                        }
                        let runner = try await chunks.runner(for: claim.runId, store: store, threads: threads)
                        let record = try await runner.work(claim, store: store, stop: stop) { _ in }
                        backoff = Self.firstBackoff
                        onChunk(claim, record)
                    }
                }
            } catch {
                onTrouble(error, backoff)
                await stop.wait(upTo: .milliseconds(Int(backoff * 1000)))
                backoff = min(backoff * 2, 30)
            }
        }
    }

    /// The first wait after a failure of the store, in seconds; it doubles up to 30 s.
    static let firstBackoff = 0.5

    /// Runs `body` with `registration` recorded in the store and heartbeating every third of the lease, then
    /// unregisters it (its chunks, if any, become claimable at once).
    private func registered<T: Sendable>(_ registration: WorkerRegistration, _ body: () async throws -> T) async throws -> T {
        try await store.registerWorker(registration)
        let store = self.store, lease = self.lease
        let heartbeat = Task.detached {
            while !Task.isCancelled {
                try? await Task.sleep(for: lease.heartbeatInterval)
                if Task.isCancelled { break }
                try? await store.workerHeartbeat(workerId: registration.id, lease: lease)
            }
        }
        defer { heartbeat.cancel() }
        do {
            let result = try await body()
            try? await store.unregisterWorker(id: registration.id)
            return result
        } catch {
            try? await store.unregisterWorker(id: registration.id)
            throw error
        }
    }

    /// The run's error: the flow's message with its file, line and customer.
    static func failure(_ error: DecisionError, budget: Int) -> RunFailure {
        let over = budget > 0 ? " (more than the \(budget) failing customers --max-errors allows)" : ""
        return RunFailure(message: error.description + over, file: error.file, line: error.line, customerId: error.customerId)
    }
}

/// A thread-safe flag that tells a worker to stop after the batch it is committing (SIGTERM, Ctrl-C).
public final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false

    /// A lowered signal.
    public init() {}

    /// Asks the worker to stop.
    public func raise() {
        lock.withLock { raised = true }
    }

    /// Whether stopping was asked for.
    public var isRaised: Bool { lock.withLock { raised } }

    /// Waits until the signal is raised or `duration` has passed.
    public func wait(upTo duration: Duration) async {
        let clock = ContinuousClock()
        let deadline = clock.now + duration
        while !isRaised && clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
