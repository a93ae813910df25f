/// A script loaded into one ``LuaState``: the value its top level returned and the environment it owns.
///
/// Only meaningful in the state that loaded it, so it is not `Sendable`.
public struct LoadedScript {
    /// The registry reference of the value the script's top level returned.
    package let value: Int32
    /// The registry reference of the script's context (environments, module cache).
    package let context: Int32
    /// The sources of the modules the script required while loading: name → source.
    public let modules: [String: String]
}
