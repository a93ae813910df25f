import Testing

@testable import LuaRuntime

/// The allocator keeps freed small blocks per size class for reuse; values must survive every move between a small
/// class, another class and the large sizes.
@Suite("The state allocator")
struct AllocatorTests {
    @Test("tables and strings growing and shrinking across the small-block sizes keep their contents")
    func blocksKeepContents() throws {
        let state = try LuaState()
        let script = try state.load(source: """
            return function()
              local t = {}
              for i = 1, 1000 do t[i] = i end
              local sum = 0
              for i = 1, #t do sum = sum + t[i] end
              for i = 1000, 3, -1 do t[i] = nil end
              for i = 1, 40 do t["k" .. i] = i end
              local strings = {}
              for n = 1, 600 do strings[n] = string.rep("x", n) end
              for n = 1, 600 do assert(#strings[n] == n) end
              return sum + t[1] + t[2] + t.k40  -- 500500 + 1 + 2 + 40
            end
            """, chunkName: "flows/allocator.lua")
        let expected: LuaValue = .integer(500_543)
        for _ in 0..<3 {
            #expect(try state.call(script) == expected)
        }
        #expect(state.memoryUsed > 0)
    }
}
