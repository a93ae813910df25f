import DecisionEngine
import LuaRuntime
import ServiceLifecycle

/// The Lua workers request handlers use (traces, flow listings, run checks): a ``WorkerPool`` of ``FlowWorker``s,
/// each confined to its own thread, run as a service so it stops with the server.
///
/// A handler never makes a `FlowWorker` itself: it hands a job to ``perform(_:)``, which runs it on a worker's
/// thread with that worker's state.
public final class RequestWorkers: Service, Sendable {
    private let pool: WorkerPool<FlowWorker>

    /// Starts `workers` threads, each with its own sandboxed Lua state.
    public init(workers: Int) {
        pool = WorkerPool(workers: workers) { _ in try FlowWorker() }
    }

    /// Runs `job` on the next free worker with that worker's `FlowWorker`.
    ///
    /// - Throws: What `job` throws, or `CancellationError` once the server is stopping.
    public func perform<Result: Sendable>(_ job: @escaping @Sendable (FlowWorker) throws -> Result) async throws -> Result {
        try await pool.run(job)
    }

    /// Waits for the server's graceful shutdown, then stops the workers once their queued jobs are done.
    public func run() async throws {
        try? await gracefulShutdown()
        pool.shutdown()
    }
}
