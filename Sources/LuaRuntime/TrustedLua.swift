import Foundation

/// Trusted Lua shipped as resource files (`Sources/<Module>/Lua/*.lua`), where it is read, tested and linted as Lua.
package enum TrustedLua {
    /// The sandbox: builds the scripts' environment inside every state (`Lua/sandbox.lua`).
    static let sandbox = source(named: "sandbox", in: .module)

    /// The chunk name Lua reports for errors inside the sandbox itself; the message handler skips its frames.
    static let sandboxChunkName = "=sandbox"

    /// The text of `Lua/NAME.lua` in a module's resource bundle; a missing resource is a broken build.
    package static func source(named name: String, in bundle: Bundle) -> String {
        guard let url = bundle.url(forResource: name, withExtension: "lua", subdirectory: "Lua"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else {
            fatalError("the resource Lua/\(name).lua is missing from \(bundle.bundlePath)")
        }
        return text
    }
}
