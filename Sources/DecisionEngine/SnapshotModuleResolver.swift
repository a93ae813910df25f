import LuaRuntime

/// Resolves `require` from a flow snapshot's module sources, never from the disk.
struct SnapshotModuleResolver: ModuleResolver {
    /// The flow's file, for error messages and chunk names.
    let flowPath: String
    /// Module name → source.
    let modules: [String: String]

    func module(named name: String) throws(LuaError) -> (source: String, chunkName: String) {
        guard let source = modules[name] else {
            throw LuaError(.runtime, "require: module '\(name)' is not part of the snapshot of \(flowPath)")
        }
        let directory = flowPath.split(separator: "/").dropLast().joined(separator: "/")
        let file = name.split(separator: ".").joined(separator: "/") + ".lua"
        return (source, directory.isEmpty ? file : directory + "/" + file)
    }
}
