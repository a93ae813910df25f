/// Finds the source of a module a script asks for with `require(name)`.
///
/// The sandbox validates `name` first (letters, digits and `_`, dot-separated), so a resolver never sees `..`
/// or an absolute path.
public protocol ModuleResolver {
    /// The module's Lua source and the chunk name errors will show (e.g. `flows/catalog.lua`).
    ///
    /// - Throws: ``LuaError`` naming the module when it does not exist or cannot be read.
    func module(named name: String) throws(LuaError) -> (source: String, chunkName: String)
}
