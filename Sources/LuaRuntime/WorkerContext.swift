/// What one worker thread of a ``WorkerPool`` owns for its lifetime: typically a ``LuaState`` and what was
/// compiled into it.
///
/// A context is created on its worker's thread and never leaves it: it is not `Sendable`, and a pool's jobs
/// receive it as an argument they cannot send anywhere else.
public protocol WorkerContext: AnyObject, SendableMetatype {
    /// Whether the context's integrity is in doubt (a limit hit, a marshalling error): the pool then discards it
    /// and builds a fresh one before the worker's next job.
    var needsReplacement: Bool { get }
}
