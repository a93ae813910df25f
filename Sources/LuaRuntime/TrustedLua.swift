import Foundation

/// The trusted Lua this module ships as resource files (`Sources/LuaRuntime/Lua/*.lua`), where it is read, tested and
/// linted as Lua.
enum TrustedLua {
    /// The sandbox: builds the scripts' environment inside every state (`Lua/sandbox.lua`).
    static let sandbox = Self.source(named: "sandbox")

    /// The chunk name Lua reports for errors inside the sandbox itself; the message handler skips its frames.
    static let sandboxChunkName = "=sandbox"

    private static func source(named name: String) -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: "lua", subdirectory: "Lua"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else {
            fatalError("the LuaRuntime resource Lua/\(name).lua is missing from \(Bundle.module.bundlePath)")
        }
        return text
    }
}
