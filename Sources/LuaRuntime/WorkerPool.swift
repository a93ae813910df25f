import Foundation

/// A fixed set of worker threads, each owning exactly one ``WorkerContext`` (a sandboxed Lua state and its
/// compiled flows) for its lifetime, fed from one first-in first-out queue of jobs.
///
/// No context is ever touched by two threads: each is created on its worker's thread by `makeContext` and only
/// handed, as an argument, to the jobs that worker runs.
///
/// ```swift
/// let pool = try WorkerPool(workers: 2) { _ in try FlowWorker() }
/// let result = try await pool.run { worker in try worker.decide(batch) }
/// ```
public final class WorkerPool<Context: WorkerContext>: Sendable {
    /// How many worker threads the pool runs.
    public let workerCount: Int
    private let queue = JobQueue<Context>()

    /// Starts `workers` threads (default: the number of cores).
    ///
    /// - Parameter makeContext: Builds a worker's context on that worker's thread, given the worker's index; called
    ///   again whenever a context needs replacement. When it throws, the jobs that worker takes fail with its error.
    public init(
        workers: Int = ProcessInfo.processInfo.activeProcessorCount,
        makeContext: @escaping @Sendable (Int) throws -> Context
    ) {
        workerCount = max(1, workers)
        for index in 0..<workerCount {
            let queue = queue
            let thread = Thread {
                WorkerLoop(index: index, queue: queue, makeContext: makeContext).run()
            }
            thread.name = "decide-worker-\(index)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    deinit {
        queue.close()
    }

    /// Runs `job` on the next free worker, with that worker's context, and returns its result.
    ///
    /// - Throws: What `job` throws, the context's creation error, or `CancellationError` once the pool is shut down.
    public func run<Result: Sendable>(
        _ job: @escaping @Sendable (Context) throws -> Result
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = queue.push { context in
                continuation.resume(with: context.flatMap { context in
                    Swift.Result { try job(context) }
                })
            }
            if !accepted { continuation.resume(throwing: CancellationError()) }
        }
    }

    /// Stops the workers once the jobs already queued are done; later `run` calls fail.
    public func shutdown() {
        queue.close()
    }
}

/// One worker thread's loop: build the context, run jobs, rebuild the context when it asks to be replaced.
private struct WorkerLoop<Context: WorkerContext> {
    let index: Int
    let queue: JobQueue<Context>
    let makeContext: @Sendable (Int) throws -> Context

    func run() {
        var context: Result<Context, any Error>?
        while let job = queue.pop() {
            if context == nil || (try? context?.get().needsReplacement) == true {
                context = Result { try makeContext(index) }
            }
            job(context!)
        }
    }
}
