import Foundation

/// The pool's queue: jobs in, first in first out, taken by whichever worker is free.
final class JobQueue<Context: WorkerContext>: @unchecked Sendable {
    /// A job, given its worker's context (or the error that building it raised).
    typealias Job = @Sendable (Result<Context, any Error>) -> Void

    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var head = 0
    private var closed = false

    /// Queues a job; returns false when the queue is closed.
    func push(_ job: @escaping Job) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    /// Waits for the next job; nil once the queue is closed and drained.
    func pop() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while head == jobs.count && !closed { condition.wait() }
        guard head < jobs.count else { return nil }
        let job = jobs[head]
        head += 1
        if head == jobs.count {
            jobs.removeAll(keepingCapacity: true)
            head = 0
        }
        return job
    }

    /// Refuses new jobs and wakes every worker.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
