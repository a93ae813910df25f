import Foundation

/// Runs blocking work on a thread of its own and awaits its result.
///
/// Swift concurrency and Dispatch share one pool of threads, one per core. Code that blocks on one of them while it
/// waits for other async work (a run's executor, a child process's exit) can leave no thread to do that work, and
/// then nothing moves again. Long synchronous sessions, such as the REPL with its Lua states, therefore run here.
public enum DedicatedThread {
    /// Runs `body` on a new thread named `name` and returns what it returns or throws.
    ///
    /// - Parameter stackSize: The thread's stack, large enough for Lua's C calls by default.
    public static func run<Value: Sendable>(
        name: String, stackSize: Int = 8 << 20, _ body: @escaping @Sendable () throws -> Value
    ) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.name = name
            thread.stackSize = stackSize
            thread.start()
        }
    }
}
