import DecisionEngine
import LuaRuntime

/// The flow a session works with: its snapshot (source plus modules, so it compiles once), what it declares, and
/// its offers as data.
struct LoadedFlow {
    /// The flow with the source of every module it requires.
    var source: FlowSource
    /// Name, offers and stages.
    var description: FlowDescription
    /// Each offer's own table, in catalogue order.
    var catalogue: [LuaValue]

    /// The flow's key.
    var key: String { source.key }
}
