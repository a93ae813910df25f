import Testing

@testable import LuaRuntime

@Suite("Values between Swift and Lua")
struct MarshallingTests {
    private func roundTrip(_ value: LuaValue) throws -> LuaValue {
        let state = try LuaState()
        let identity = try state.load(source: "return function(x) return x end", chunkName: "id.lua")
        return try state.call(identity, [value])
    }

    @Test("values survive a round trip", arguments: [
        LuaValue.nil, true, false, 0, -1, .integer(Int64.max), .integer(Int64.min), .integer(9_007_199_254_740_993),
        1.5, -0.0, .number(.infinity), "", "héllo wörld ✓", "nul\u{0}inside", [1, 2, 3], ["a": 1, "b": ["c": "d"]],
        [["nested": [1.5, "x"]]],
    ])
    func roundTrips(value: LuaValue) throws {
        #expect(try roundTrip(value) == value)
    }

    @Test("integers stay integers and floats stay floats")
    func integerVersusFloat() throws {
        let state = try LuaState()
        let script = try state.load(source: "return function() return { 3, 3.0, 2^53 + 1, 7 // 2, 7 / 2 } end", chunkName: "n.lua")
        #expect(try state.call(script) == [3, 3.0, .number(9_007_199_254_740_992), 3, 3.5])
    }

    @Test("NaN crosses as a NaN float")
    func nan() throws {
        guard case .number(let value) = try roundTrip(.number(.nan)) else {
            Issue.record("NaN did not come back as a float")
            return
        }
        #expect(value.isNaN)
    }

    @Test("functions, cycles and mixed tables cannot leave the sandbox", arguments: [
        "return function() end", "local t = {} t.self = t return t", "return { 1, 2, x = 3 }", "return { [1.5] = 1 }",
        "return coroutine.create(function() end)",
    ])
    func badValues(body: String) throws {
        let state = try LuaState()
        let script = try state.load(source: "return function() \(body) end", chunkName: "b.lua")
        let error = try #require(throws: LuaError.self) { try state.call(script) }
        #expect(error.code == .badValue)
    }

    @Test("tables are read raw: metamethods that raise or loop are never run")
    func hostileMetamethods() throws {
        let state = try LuaState()
        let script = try state.load(source: """
            return function()
              return setmetatable({ a = 1 }, {
                __index = function() while true do end end,
                __pairs = function() error("no") end,
                __tostring = function() error("no") end,
                __len = function() while true do end end,
              })
            end
            """, chunkName: "m.lua")
        #expect(try state.call(script) == ["a": 1])
    }
}
