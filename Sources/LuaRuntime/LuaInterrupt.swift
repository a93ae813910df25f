import CLuaSandbox

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A thread-safe handle that stops the Lua calls of every state watching it: raise it from any thread (or on a
/// signal, see ``raiseOnSignal(_:)``) and the running call ends at its next hook with a ``LuaError`` of code
/// ``LuaError/Code/interrupted``.
///
/// The handle stays raised until ``clear()``, so a loop of calls (a thousand customers) stops at the next one
/// as well. A state that was interrupted is poisoned, like after any limit, and must be replaced.
///
/// ```swift
/// let interrupt = LuaInterrupt()
/// let state = try LuaState(interrupt: interrupt)
/// interrupt.raiseOnSignal(SIGINT)   // Ctrl-C stops `while true do end`
/// ```
public final class LuaInterrupt: @unchecked Sendable {
    /// The C flag the states' hooks read; it lives as long as this handle.
    package let flag: OpaquePointer

    /// A lowered handle.
    public init() {
        guard let flag = ds_flag_new() else { fatalError("out of memory allocating an interrupt flag") }
        self.flag = flag
    }

    deinit {
        ds_flag_free(flag)
    }

    /// Asks every call of the watching states to stop. Safe from any thread.
    public func raise() {
        ds_flag_raise(flag)
    }

    /// Lowers the handle, so calls run again.
    public func clear() {
        ds_flag_clear(flag)
    }

    /// Whether the handle is raised.
    public var isRaised: Bool {
        ds_flag_is_raised(flag) != 0
    }

    /// Raises this handle whenever the process receives `signal` (e.g. `SIGINT`), for the rest of the process's
    /// life: the handler only stores to the flag, which is async-signal-safe. The handle is kept alive from then on.
    ///
    /// The signal also reaches the calling thread, wherever the kernel delivered it (a handler on another thread
    /// forwards it with `pthread_kill`; the calling thread unblocks it, as threads started from Dispatch's inherit
    /// a mask that blocks it), so that a blocking `read` on the calling thread (a line editor waiting for keys)
    /// fails with `EINTR` instead of restarting.
    public func raiseOnSignal(_ signal: Int32) {
        SignalTarget.flag = Unmanaged.passRetained(self).takeUnretainedValue().flag
        SignalTarget.thread = pthread_self()
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, signal)
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = { SignalTarget.receive($0) }
        #else
        action.__sigaction_u.__sa_handler = { SignalTarget.receive($0) }
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(signal, &action, nil)
    }
}

/// What signal handlers act on: set once by ``LuaInterrupt/raiseOnSignal(_:)``, never freed.
private enum SignalTarget {
    /// The flag to raise.
    nonisolated(unsafe) static var flag: OpaquePointer?
    /// The thread that must see the signal.
    nonisolated(unsafe) static var thread: pthread_t?

    /// The handler: raises the flag, and hands the signal on to the watching thread when another one got it.
    static func receive(_ signal: Int32) {
        if let flag { ds_flag_raise(flag) }
        if let thread, pthread_equal(thread, pthread_self()) == 0 { pthread_kill(thread, signal) }
    }
}
