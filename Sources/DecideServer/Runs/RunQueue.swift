import DecideStore
import Foundation
import Logging
import RunEngine
import ServiceLifecycle
import Synchronization

/// The server's runs waiting for their turn and executing: a first-in first-out queue of run ids, executed
/// `concurrentRuns` at a time, as a service of the application.
///
/// On start it marks the runs whose process stopped as interrupted (a running run whose heartbeat is older than
/// the lease: no live process owns it) and queues the pending ones, oldest first. On graceful shutdown it stops
/// taking runs; the executing ones stop after their current batch and are left interrupted, resumable with
/// `POST /api/v1/runs/{id}/resume` (or, when a live worker process can go on with them, to the workers); queued
/// ones stay pending for the next start.
public final class RunQueue: Service, Sendable {
    private let store: any RunQueueStore
    private let concurrentRuns: Int
    private let lease: LeasePolicy
    private let executes: Bool
    private let metrics: ServerMetrics
    private let logger: Logger
    private let ids: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation
    /// The runs queued or executing here.
    private let owned = Mutex<Set<String>>([])

    /// A queue over `store`.
    ///
    /// - Parameters:
    ///   - concurrentRuns: How many runs execute at once (at least 1).
    ///   - lease: How stale a process's heartbeat must be for its runs to count as interrupted, and how often a chunk may be abandoned.
    ///   - executes: Whether this server executes runs; `false` (`decide serve --no-execute`) leaves them pending
    ///     for `decide worker` processes.
    public init(
        store: any RunQueueStore, concurrentRuns: Int, lease: LeasePolicy, executes: Bool = true, metrics: ServerMetrics,
        logger: Logger
    ) {
        self.store = store
        self.executes = executes
        self.concurrentRuns = max(1, concurrentRuns)
        self.lease = lease
        self.metrics = metrics
        self.logger = logger
        (ids, continuation) = AsyncStream.makeStream(of: String.self)
    }

    /// Queues the run `id`; false when it is already queued or executing here. A server that does not execute
    /// runs leaves it pending for the workers.
    @discardableResult
    public func enqueue(_ id: String) -> Bool {
        guard executes else { return true }
        guard owned.withLock({ $0.insert(id).inserted }) else { return false }
        continuation.yield(id)
        logger.info("run queued", metadata: ["run.id": "\(id)"])
        return true
    }

    /// Recovers, then executes queued runs until the server shuts down.
    public func run() async throws {
        for run in try await store.markInterrupted(olderThan: lease.seconds) {
            logger.notice("run interrupted: its process stopped", metadata: ["run.id": "\(run.id)"])
        }
        var offset = 0
        var pending: [RunRecord] = []
        while true {
            let page = try await store.runs(status: .pending, limit: 200, offset: offset).runs
            pending += page
            offset += page.count
            if page.count < 200 { break }
        }
        for run in pending.reversed() { enqueue(run.id) }
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                var executing = 0
                for await id in self.ids {
                    if executing == self.concurrentRuns {
                        await group.next()
                        executing -= 1
                    }
                    if Task.isCancelled { break }
                    group.addTask { await self.execute(id) }
                    executing += 1
                }
            }
        }
        continuation.finish()
    }

    /// Executes one run to its end (or until shutdown), logging and counting it; never throws: a run that cannot
    /// execute (cancelled while it waited) is logged and skipped.
    private func execute(_ id: String) async {
        defer { owned.withLock { _ = $0.remove(id) } }
        var logger = self.logger
        logger[metadataKey: "run.id"] = "\(id)"
        metrics.runStarted()
        defer { metrics.runEnded() }
        do {
            logger.info("run started")
            let metrics = self.metrics
            let ended = try await RunExecutor(store: store, lease: lease).execute(runId: id) { report in
                metrics.record(batch: report)
            }
            logger.info("run ended", metadata: [
                "run.status": "\(ended.status)", "run.interrupted": "\(ended.interrupted)",
                "run.customers": "\(ended.summary.totalCustomers)",
            ])
        } catch {
            logger.warning("run not executed", metadata: ["error": "\(error)"])
        }
    }
}
