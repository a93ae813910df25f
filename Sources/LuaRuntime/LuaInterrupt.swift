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
    /// A blocking `read` the signal arrives in fails with `EINTR` instead of restarting.
    public func raiseOnSignal(_ signal: Int32) {
        SignalTarget.flag = Unmanaged.passRetained(self).takeUnretainedValue().flag
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = { _ in
            if let flag = SignalTarget.flag { ds_flag_raise(flag) }
        }
        #else
        action.__sigaction_u.__sa_handler = { _ in
            if let flag = SignalTarget.flag { ds_flag_raise(flag) }
        }
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(signal, &action, nil)
    }
}

/// The flag signal handlers raise: set once by ``LuaInterrupt/raiseOnSignal(_:)``, never freed.
private enum SignalTarget {
    nonisolated(unsafe) static var flag: OpaquePointer?
}
