import Foundation

/// Waits on the calling thread for async work (a run's executor) that never touches the caller's Lua states: the
/// REPL stays synchronous on its one thread while the run's worker pool does the work.
///
/// The calling thread must be one of its own (see `DedicatedThread`), never one of Swift concurrency's: blocking
/// those can leave none to run the work being waited for.
enum Blocking {
    /// Runs `body` to its end and returns its result, blocking this thread meanwhile.
    static func wait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let box = Box<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do {
                box.set(.success(try await body()))
            } catch {
                box.set(.failure(error))
            }
            done.signal()
        }
        done.wait()
        return try box.get().get()
    }

    /// The result handed from the task to the waiting thread.
    private final class Box<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var result: Result<T, any Error>?

        func set(_ value: Result<T, any Error>) {
            lock.withLock { result = value }
        }

        func get() -> Result<T, any Error> {
            lock.withLock { result! }
        }
    }
}
