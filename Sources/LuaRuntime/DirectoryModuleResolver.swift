import Foundation

/// Resolves `require("catalog")` to `DIR/catalog.lua` and `require("shared.models")` to
/// `DIR/shared/models.lua`.
public struct DirectoryModuleResolver: ModuleResolver, Sendable {
    /// The directory modules live in.
    public let directory: String
    /// A resolver over `directory`.
    public init(directory: String) {
        self.directory = directory
    }

    /// The path a module name maps to, relative to the directory's parent as given.
    public func path(ofModule name: String) -> String {
        let relative = name.split(separator: ".").joined(separator: "/") + ".lua"
        return directory.hasSuffix("/") ? directory + relative : directory + "/" + relative
    }

    public func module(named name: String) throws(LuaError) -> (source: String, chunkName: String) {
        let path = path(ofModule: name)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LuaError(.runtime, "require: module '\(name)' not found (no file \(path))")
        }
        return (String(decoding: data, as: UTF8.self), path)
    }
}
