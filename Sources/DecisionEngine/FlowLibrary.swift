import Foundation
import LuaRuntime

/// The flows directory: lists flows and reads one by key (`cross_sell`) or by path (`flows/cross_sell.lua`).
public struct FlowLibrary: Sendable {
    /// The directory flows live in.
    public let directory: String
    /// How the directory is shown in file names, messages and chunk names: the directory itself by default, or
    /// another prefix (the server shows flows relative to their folder, never as server paths).
    public let shownDirectory: String

    /// A library over `directory` (default `./flows`), shown as `shownDirectory` (default: `directory`; empty
    /// shows bare file names, `cross_sell.lua`).
    public init(directory: String = "flows", shownAs shownDirectory: String? = nil) {
        self.directory = directory
        self.shownDirectory = shownDirectory ?? directory
    }

    /// The same library, shown relative to its folder: `cross_sell.lua:12: ...`.
    public var shownRelative: FlowLibrary { FlowLibrary(directory: directory, shownAs: "") }

    /// Whether `name` is a flow key (`cross_sell`): 1 to 128 letters, digits, `_` and `-`, not a path.
    public static func isKey(_ name: String) -> Bool {
        (1...128).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            }
    }

    /// The keys of every flow in the directory, sorted: `.lua` files that are not `.test.lua` files and that
    /// return a flow (modules such as `catalog.lua` are recognised by not calling `flow { ... }`).
    public func keys() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".lua") && !$0.hasSuffix(".test.lua") }
            .map { String($0.dropLast(4)) }
            .filter { key in
                guard let text = (try? ScriptFile.read(path(of: key))) ?? nil else { return false }
                return text.contains("flow {") || text.contains("flow{") || text.contains("flow(")
            }
            .sorted()
    }

    /// The file of the flow `key`.
    public func path(of key: String) -> String {
        (directory.hasSuffix("/") ? directory : directory + "/") + key + ".lua"
    }

    /// Reads a flow named by key or by path.
    ///
    /// - Throws: ``FlowError`` with code ``FlowError/Code/unknownFlow`` listing the flows there are.
    public func source(of name: String) throws(FlowError) -> FlowSource {
        let key = name.hasSuffix(".lua") ? String((name as NSString).lastPathComponent.dropLast(4)) : name
        let byPath = name.hasSuffix(".lua")
        let file = byPath ? name : path(of: key)
        let shown = byPath ? name : shownPath(of: key)
        let text: String?
        do {
            text = try ScriptFile.read(file)
        } catch {
            throw FlowError(loading: key, error)
        }
        guard let text else {
            let known = keys()
            let hint = known.isEmpty ? "no flows in \(shownDirectory.isEmpty ? "the flows folder" : shownDirectory)"
                : "known flows: \(known.joined(separator: ", "))"
            throw FlowError(.unknownFlow, flow: name, problems: ["no file \(shown); \(hint)"])
        }
        var source = FlowSource(key: key, path: shown, source: text)
        source.moduleDirectory = byPath ? (name as NSString).deletingLastPathComponent : directory
        return source
    }

    /// Reads a flow named by key only (what the API accepts): never a path.
    ///
    /// - Throws: ``FlowError`` with code ``FlowError/Code/unknownFlow`` for a name that is not a key or not a flow.
    public func source(key: String) throws(FlowError) -> FlowSource {
        guard Self.isKey(key) else {
            throw FlowError(.unknownFlow, flow: String(key.prefix(128)), problems: [
                "a flow is named by its key (letters, digits, _ and -, as `decide flows list` shows), not a path"
            ])
        }
        return try source(of: key)
    }

    /// How the file of the flow `key` is shown.
    private func shownPath(of key: String) -> String {
        shownDirectory.isEmpty ? key + ".lua" : (shownDirectory.hasSuffix("/") ? shownDirectory : shownDirectory + "/") + key + ".lua"
    }

    /// Where `require` finds this library's modules.
    public var resolver: DirectoryModuleResolver {
        DirectoryModuleResolver(directory: directory)
    }

    /// The test file of the flow `key` (`flows/KEY.test.lua`).
    public func testPath(of key: String) -> String {
        (directory.hasSuffix("/") ? directory : directory + "/") + key + ".test.lua"
    }
}
