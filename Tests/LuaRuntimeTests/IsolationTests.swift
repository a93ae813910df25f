import Testing

@testable import LuaRuntime

@Suite("Isolation between flows and calls")
struct IsolationTests {
    @Test("a flow that tampers with its globals and libraries leaves the next flow a pristine library")
    func tamperingDoesNotLeak() throws {
        let state = try LuaState()
        let vandal = try state.load(source: """
            return function()
              pcall(setmetatable, _G, nil)
              pcall(rawset, string, "upper", function() return "pwned" end)
              pcall(function() string.upper = nil end)
              pcall(function() math.floor = nil end)
              table = nil
              return "done"
            end
            """, chunkName: "flows/vandal.lua")
        #expect(try state.call(vandal) == "done")
        let victim = try state.load(
            source: "return function() return string.upper('ok') .. math.floor(2.5) .. type(table.concat) end",
            chunkName: "flows/victim.lua")
        #expect(try state.call(victim) == "OK2function")
    }

    @Test("setmetatable(_G, nil) and rawset on a library table are refused")
    func protectedTables() throws {
        let state = try LuaState()
        let script = try state.load(source: """
            return function()
              local a = pcall(setmetatable, _G, nil)
              local b = pcall(rawset, string, "x", 1)
              return { a, b }
            end
            """, chunkName: "t.lua")
        #expect(try state.call(script) == [false, false])
    }

    @Test("globals set during one call are gone in the next; top-level globals stay")
    func scratchGlobals() throws {
        let state = try LuaState()
        let script = try state.load(source: """
            kept = "top"
            return function() local seen = leaked; leaked = "x"; return { kept, seen == nil } end
            """, chunkName: "t.lua")
        #expect(try state.call(script) == ["top", true])
        #expect(try state.call(script) == ["top", true])
    }

    @Test("require loads modules through the resolver, caches them per flow, and refuses bad names")
    func require() throws {
        struct Modules: ModuleResolver {
            func module(named name: String) throws(LuaError) -> (source: String, chunkName: String) {
                guard name == "shared.catalog" else { throw LuaError(.runtime, "require: module '\(name)' not found") }
                return ("count = (count or 0) + 1 return { size = 3 }", "flows/shared/catalog.lua")
            }
        }
        let state = try LuaState()
        let script = try state.load(source: """
            local a = require("shared.catalog")
            local b = require("shared.catalog")
            return function() return { a.size, rawequal(a, b) } end
            """, chunkName: "flows/f.lua", resolver: Modules())
        #expect(try state.call(script) == [3, true])
        #expect(script.modules.keys.sorted() == ["shared.catalog"])
        let error = try #require(throws: LuaError.self) {
            try state.load(source: "require('shared/../x')", chunkName: "flows/g.lua", resolver: Modules())
        }
        #expect(error.message.hasPrefix("flows/g.lua:1:"))
        #expect(error.message.contains("invalid module name"))
    }
}
