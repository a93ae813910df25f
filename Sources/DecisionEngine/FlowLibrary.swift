import Foundation
import LuaRuntime

/// The flows directory: lists flows and reads one by key (`cross_sell`) or by path (`flows/cross_sell.lua`).
public struct FlowLibrary: Sendable {
    /// The directory flows live in.
    public let directory: String

    /// A library over `directory` (default `./flows`).
    public init(directory: String = "flows") {
        self.directory = directory
    }

    /// The keys of every flow in the directory, sorted: `.lua` files that are not `.test.lua` files and that
    /// return a flow (modules such as `catalog.lua` are recognised by not calling `flow { ... }`).
    public func keys() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".lua") && !$0.hasSuffix(".test.lua") }
            .map { String($0.dropLast(4)) }
            .filter { key in
                guard let text = try? String(contentsOfFile: path(of: key), encoding: .utf8) else { return false }
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
        let file = name.hasSuffix(".lua") ? name : path(of: key)
        guard let data = FileManager.default.contents(atPath: file) else {
            let known = keys()
            let hint = known.isEmpty ? "no flows in \(directory)" : "known flows: \(known.joined(separator: ", "))"
            throw FlowError(.unknownFlow, flow: name, problems: ["no file \(file); \(hint)"])
        }
        return FlowSource(key: key, path: file, source: String(decoding: data, as: UTF8.self))
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
