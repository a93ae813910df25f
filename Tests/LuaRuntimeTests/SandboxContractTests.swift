import Testing

@testable import LuaRuntime

/// The sandbox's contract, class by class: what a hostile script tries, the clear error (or harmless result) it
/// gets, and a host that stays alive with the next call on the same state (or its replacement) working.
@Suite("The sandbox's contract")
struct SandboxContractTests {
    static let limits = SandboxLimits(memoryBytes: 32 << 20, instructionBudget: 2_000_000, deadlineSeconds: 1)

    /// Runs `body` as the function a script returns and returns its result or error.
    private func run(_ body: String, limits: SandboxLimits = limits) throws -> Result<LuaValue, LuaError> {
        let state = try LuaState(limits: limits)
        let script = try state.load(source: "return function() \(body) end", chunkName: "flows/hostile.lua")
        let result: Result<LuaValue, LuaError>
        do {
            result = .success(try state.call(script))
        } catch {
            result = .failure(error)
        }
        if !state.isPoisoned {
            let healthy = try state.load(source: "return function() return ('a'):upper() end", chunkName: "flows/next.lua")
            #expect(try state.call(healthy) == "A")
        }
        return result
    }

    private func failure(_ body: String, limits: SandboxLimits = limits) throws -> LuaError {
        guard case .failure(let error) = try run(body, limits: limits) else {
            Issue.record("expected an error from: \(body)")
            return LuaError(.runtime, "")
        }
        return error
    }

    // MARK: 1. Read-only proxies hand out nothing they guard

    @Test("iterating a library, the string metatable or a proxy hands out no table to change")
    func proxiesHandOutNothing() throws {
        let value = try run("""
            local _, backing = pairs(string)
            local names = 0
            for name, f in pairs(string) do names = names + 1 end
            local _, math_backing = pairs(math)
            return { backing == nil, math_backing == nil, names > 10, ("x"):upper() }
            """).get()
        #expect(value == [true, true, true, "X"])
    }

    @Test("a metatable's metamethods are fixed when set: __gc, __mode and __close are refused",
          arguments: ["__gc", "__mode", "__close"])
    func refusedMetamethods(field: String) throws {
        let error = try failure("setmetatable({}, { \(field) = 'k' })")
        #expect(error.message.contains("\(field) metamethods are not allowed in flows"))
    }

    @Test("a __close added to a metatable after setmetatable is never seen (no to-be-closed values)")
    func lateClose() throws {
        let error = try failure("""
            local mt = {}
            local t = setmetatable({}, mt)
            mt.__close = function() end
            local x <close> = t
            """)
        #expect(error.message.contains("non-closable value"))
    }

    @Test("getmetatable still returns the script's own metatable, and protected metatables stay protected")
    func metatableIdentity() throws {
        let value = try run("""
            local mt = { __index = { answer = 42 } }
            local t = setmetatable({}, mt)
            local locked = setmetatable({}, { __metatable = "locked" })
            local ok = pcall(setmetatable, locked, {})
            return { getmetatable(t) == mt, t.answer, getmetatable(locked), ok }
            """).get()
        #expect(value == [true, 42, "locked", false])
    }

    // MARK: 2. The host reads error objects raw and bounded

    @Test("an error object whose metamethods loop, allocate or raise is read raw, at once")
    func hostileErrorObjects() throws {
        for metamethod in ["__index = function() while true do end end", "__index = function() error('boom') end",
                           "__tostring = function() return string.rep('x', 1e7) end"] {
            let error = try failure("error(setmetatable({}, { \(metamethod) }))")
            #expect(error.message == "error object is a table value")
        }
    }

    @Test("an error message is cut to 1 KiB")
    func longErrorMessage() throws {
        let error = try failure("error(string.rep('x', 1e6))")
        #expect(error.message.utf8.count <= LuaError.maximumMessageBytes)
        #expect(error.message.hasSuffix("[cut]"))
    }

    // MARK: 3. Loops inside C functions are bounded

    @Test("C functions over script-chosen ranges are charged and refused past any table's size", arguments: [
        "return table.move({}, 1, math.maxinteger - 1, 2)",
        "return table.concat(setmetatable({}, { __index = table.concat }), '', 1, 1e15)",
        "return table.insert(setmetatable({}, { __len = function() return math.maxinteger end }), 1, 1)",
        "return table.remove(setmetatable({}, { __len = function() return 2^40 end }), 1)",
        "return table.sort(setmetatable({}, { __len = function() return 2^40 end }))",
        "return table.unpack({}, 1, 1e12)",
    ])
    func boundedTableFunctions(body: String) throws {
        let error = try failure(body)
        #expect(error.message.contains("exceeds the sandbox's limit") || error.code == .instructionLimit)
    }

    @Test("string.rep of an empty string any number of times is immediate")
    func emptyRep() throws {
        #expect(try run("return #string.rep('', math.maxinteger) + #string.rep('', 1e18, '')").get() == 0)
    }

    @Test("a deadline stops a loop whose every instruction is slow, in the main thread and in a coroutine",
          arguments: [false, true])
    func slowInstructions(inCoroutine: Bool) throws {
        let loop = "local s = string.rep('x', 16 * 2^20) while true do local n = utf8.len(s) end"
        let body = inCoroutine ? "coroutine.wrap(function() \(loop) end)()" : loop
        let limits = SandboxLimits(memoryBytes: 64 << 20, instructionBudget: 0, deadlineSeconds: 0.5)
        #expect(try failure(body, limits: limits).code == .deadline)
    }

    // MARK: 4. Lua 5.4.4's bugs a script can reach

    @Test("nested coroutine.close through __close cannot overflow the C stack: __close is refused")
    func nestedCoroutineClose() throws {
        let value = try run("""
            local coro, message = false, nil
            for i = 1, 1000 do
              local previous = coro
              coro = coroutine.create(function()
                local cc <close> = setmetatable({}, { __close = function() if previous then coroutine.close(previous) end end })
                coroutine.yield()
              end)
              local ok, err = coroutine.resume(coro)
              message = message or err
            end
            return { coroutine.close(coro), message }
            """).get()
        guard case .array(let results) = value else { return }
        #expect(results.last?.stringValue?.contains("__close metamethods are not allowed") == true)
    }

    @Test("a local _ENV <const> (miscompiled by 5.4.4) is refused before it is compiled")
    func constEnvironment() throws {
        let state = try LuaState(limits: Self.limits)
        let error = try #require(throws: LuaError.self) {
            try state.load(source: "local _ENV <const> = 11\nX = 'hi'", chunkName: "flows/env.lua")
        }
        #expect(error.message.contains("flows/env.lua:1: an attribute on _ENV"))
        let loaded = try run("local f, message = load('local --[[x]] _ENV <const> = {}') return message")
        #expect(try loaded.get().stringValue?.contains("an attribute on _ENV") == true)
    }

    @Test("a function with more than 255 constants that uses a bitwise operator (miscompiled by 5.4.4) is refused")
    func bitwiseConstants() throws {
        let constants = (1...257).map { "\($0).1," }.joined()
        let state = try LuaState(limits: Self.limits)
        let error = try #require(throws: LuaError.self) {
            try state.load(source: "local x = {\(constants)}\nreturn (1 ~ (2 or 3))", chunkName: "flows/bits.lua")
        }
        #expect(error.message.contains("flows/bits.lua:") && error.message.contains("bitwise operator"))
        let fine = try state.load(
            source: "local x = {\(constants)}\nreturn function(v) return (function(a) return 1 ~ a end)(v) end",
            chunkName: "flows/split.lua")
        #expect(try state.call(fine, [2]) == 3)
        let loaded = try run("local f, message = load('local x = {\(constants)} return 1 ~ (2 or 3)') return message")
        #expect(try loaded.get().stringValue?.contains("bitwise operator") == true)
    }

    @Test("utf8.codes refuses spurious continuation bytes (5.4.4 accepted them)")
    func spuriousContinuation() throws {
        #expect(try failure("for _, c in utf8.codes('hel\\x80lo') do end").message.contains("invalid UTF-8 code"))
    }

    @Test("a call that ran the collector in an emergency replaces its state, even when it recovered")
    func emergencyCollection() throws {
        let state = try LuaState(limits: SandboxLimits(memoryBytes: 8 << 20, instructionBudget: 0, deadlineSeconds: 5))
        let script = try state.load(
            source: "return function() pcall(function() local t = {} for i = 1, 1e7 do t[i] = i end end) return 1 end",
            chunkName: "flows/hoard.lua")
        _ = try? state.call(script)
        #expect(state.isPoisoned)
    }

    // MARK: 5. The message handler is bounded and cannot be fooled

    @Test("a chunk a script names like a trusted one is still shown as the script's")
    func disguisedChunk() throws {
        let error = try failure("local f = load('error(\"x\")', '=sandbox') f()")
        #expect(error.message.contains("[load] sandbox:1:"))
    }

    @Test("an error deep in a long recursion is reported with its position")
    func deepError() throws {
        let error = try failure(
            "local function f(n) if n == 0 then error('deep') end return f(n - 1) + 1 end return f(100000)",
            limits: SandboxLimits(memoryBytes: 64 << 20, instructionBudget: 0, deadlineSeconds: 5))
        #expect(error.message.contains("flows/hostile.lua:1: deep"))
    }

    // MARK: 6. What leaves Lua is bounded

    @Test("a value that repeats a big string, or shares sub-tables exponentially, cannot leave the sandbox",
          arguments: [
              "local s = string.rep('x', 8 * 2^20) return { s, s, s, s, s, s, s, s, s, s, s, s }",
              "local t = {} for i = 1, 40 do t = { t, t } end return t",
          ])
    func boundedCopies(body: String) throws {
        let error = try failure(body, limits: SandboxLimits(memoryBytes: 64 << 20, instructionBudget: 0, deadlineSeconds: 5))
        #expect(error.code == .badValue)
        #expect(error.message.contains("cannot leave the sandbox"))
    }

    // MARK: 8. Determinism

    @Test("pairs and next visit keys in an order that depends only on the keys, the same in every state")
    func orderedIteration() throws {
        let body = """
            local t = {}
            for i = 1, 200 do t["k" .. ((i * 7919) % 211)] = i end
            t[3], t[1.5], t[-2], t[true] = 1, 2, 3, 4
            local keys, via_next = {}, {}
            for k in pairs(t) do keys[#keys + 1] = tostring(k) end
            local k = next(t)
            while k ~= nil do via_next[#via_next + 1] = tostring(k); k = next(t, k) end
            return { table.concat(keys, ","), table.concat(via_next, ",") }
            """
        let first = try run(body).get()
        let second = try run(body).get()
        #expect(first == second)
        guard case .array(let lists) = first, let order = lists[0].stringValue else { return }
        #expect(lists[0] == lists[1])
        #expect(order.hasPrefix("-2,1.5,3,k1,k10,k100,k101,"))
        #expect(order.hasSuffix(",true"))
    }

    @Test("tostring and string.format show no addresses; %p is refused")
    func noAddresses() throws {
        #expect(try run("local t = {} return { tostring(t), tostring({}), tostring(t), string.format('%s', print) }").get()
            == ["table: #1", "table: #2", "table: #1", "function: #3"])
        #expect(try failure("return string.format('%p', {})").message.contains("'%p' shows an address"))
    }

    @Test("os.time() and os.date() return the decision time; os.clock is unavailable")
    func decisionTime() throws {
        let state = try LuaState(limits: Self.limits)
        state.setDecisionTime(86_400)
        let script = try state.load(
            source: "return function() return { os.time(), os.date('!%Y-%m-%d'), os.time({ year = 2020, month = 1, day = 1, hour = 12 }) > 0 } end",
            chunkName: "flows/time.lua")
        #expect(try state.call(script) == [86_400, "1970-01-02", true])
        #expect(try failure("return os.clock()").message.contains("os.clock is not available"))
    }

    @Test("math.random at load is seeded by the host: the same seed draws the same numbers in every state")
    func seededLoad() throws {
        func draw(seed: Int64) throws -> LuaValue {
            let state = try LuaState(limits: Self.limits)
            let script = try state.load(
                source: "local r = math.random(1, 1000000000) return function() return r end", chunkName: "flows/r.lua",
                seed: seed)
            return try state.call(script)
        }
        #expect(try draw(seed: 7) == (try draw(seed: 7)))
        #expect(try draw(seed: 7) != (try draw(seed: 8)))
    }
}
