import LuaRuntime

/// A flow compiled into one worker's Lua state: the handle to call it, and what the host needs to read results.
struct CompiledFlow {
    /// The snapshot it was compiled from.
    let source: FlowSource
    /// Registry reference of the engine's compiled flow table.
    let reference: Int32
    /// The loaded script, freed with the flow.
    let script: LoadedScript
    /// What the flow declares.
    let description: FlowDescription
    /// Whether the flow may use `math.random`, so each customer's call seeds it (``FlowSource/usesRandom``).
    let usesRandom: Bool
}
