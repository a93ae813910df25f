import Foundation

/// Resolves `require("catalog")` to `DIR/catalog.lua` and `require("shared.models")` to
/// `DIR/shared/models.lua`.
public struct DirectoryModuleResolver: ModuleResolver, Sendable {
    /// The directory modules live in.
    public let directory: String
    /// How the directory is shown in chunk names and messages (the server shows modules relative to the flows
    /// folder, never as server paths).
    public let shownDirectory: String

    /// A resolver over `directory`, shown as `shownDirectory` (default: `directory`).
    public init(directory: String, shownAs shownDirectory: String? = nil) {
        self.directory = directory
        self.shownDirectory = shownDirectory ?? directory
    }

    /// The path a module name maps to under `base` (the directory by default).
    public func path(ofModule name: String, under base: String? = nil) -> String {
        let base = base ?? directory
        let relative = name.split(separator: ".").joined(separator: "/") + ".lua"
        if base.isEmpty { return relative }
        return base.hasSuffix("/") ? base + relative : base + "/" + relative
    }

    public func module(named name: String) throws(LuaError) -> (source: String, chunkName: String) {
        let shown = path(ofModule: name, under: shownDirectory)
        guard let text = try ScriptFile.read(path(ofModule: name)) else {
            throw LuaError(.runtime, "require: module '\(name)' not found (no file \(shown))")
        }
        return (text, shown)
    }
}
