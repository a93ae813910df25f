import Testing

@testable import LuaRuntime

/// Each hostile script must end in a clear error for that call, leave the host alive, and leave the worker's next
/// call working.
@Suite("Hostile scripts")
struct HostileScriptTests {
    /// Limits small enough that every case stops in well under a second.
    static let limits = SandboxLimits(memoryBytes: 16 << 20, instructionBudget: 1_000_000, deadlineSeconds: 1)

    /// Loads `body` as the function a script returns, calls it, and returns the error it raised.
    private func failure(of body: String, limits: SandboxLimits = limits) throws -> LuaError {
        let state = try LuaState(limits: limits)
        let script = try state.load(source: "return function() \(body) end", chunkName: "flows/hostile.lua")
        let error = try #require(throws: LuaError.self) { try state.call(script) }
        let healthy = try state.load(source: "return function() return 1 + 1 end", chunkName: "flows/next.lua")
        #expect(try state.call(healthy) == 2)
        return error
    }

    @Test("an endless loop stops at the instruction budget")
    func endlessLoop() throws {
        let error = try failure(of: "while true do end")
        #expect(error.code == .instructionLimit)
        #expect(error.file == "flows/hostile.lua")
    }

    @Test("pcall cannot swallow the instruction budget")
    func loopInsidePcall() throws {
        #expect(try failure(of: "while true do pcall(function() while true do end end) end").code == .instructionLimit)
    }

    @Test("loops spread across coroutines stop too")
    func loopAcrossCoroutines() throws {
        let body = "while true do local f = coroutine.wrap(function() for i = 1, 1e6 do end end) pcall(f) end"
        #expect(try failure(of: body).code == .instructionLimit)
    }

    @Test("an xpcall message handler that loops is metered")
    func xpcallHandlerLoop() throws {
        let body = "xpcall(function() while true do end end, function() while true do end end)"
        #expect(try failure(of: body).code == .instructionLimit)
    }

    @Test("deep recursion fails with a stack overflow or the memory cap, not a crash")
    func deepRecursion() throws {
        let error = try failure(of: "local function f() return 1 + f() end return f()")
        #expect(error.message.contains("stack overflow") || error.code == .memoryLimit)
    }

    @Test("recursion through pcall and coroutines ends in an error")
    func recursionThroughCoroutines() throws {
        let error = try failure(of: "local function f() pcall(1); coroutine.wrap(f)() end f()")
        #expect(error.code == .runtime || error.code.isLimit)
    }

    @Test("table growth stops at the memory cap")
    func tableGrowth() throws {
        let error = try failure(
            of: "local t = {} for i = 1, 1e9 do t[i] = {i} end",
            limits: SandboxLimits(memoryBytes: 8 << 20, instructionBudget: 100_000_000, deadlineSeconds: 5)
        )
        #expect(error.code == .memoryLimit)
    }

    @Test("string doubling stops at the memory cap")
    func stringDoubling() throws {
        let error = try failure(
            of: "local s = 'x' while true do s = s .. s end",
            limits: SandboxLimits(memoryBytes: 8 << 20, instructionBudget: 100_000_000, maxStringBytes: 64 << 20)
        )
        #expect(error.code == .memoryLimit)
    }

    @Test("string.rep of 2^31 bytes is refused", arguments: ["string.rep('x', 2^31)", "('x'):rep(1e9)"])
    func hugeRep(expression: String) throws {
        let error = try failure(of: "return \(expression)")
        #expect(error.code == .stringLimit)
        #expect(error.message.contains("string limit"))
    }

    @Test("a catastrophic pattern is stopped")
    func catastrophicPattern() throws {
        let error = try failure(of: "return string.rep('a', 40):match(string.rep('a*', 40) .. 'b')")
        #expect(error.code == .instructionLimit || error.code == .deadline)
    }

    @Test("quadratic find over a long subject is stopped")
    func quadraticFind() throws {
        let error = try failure(of: "return ('a'):rep(5000):find('.-.-b')")
        #expect(error.code == .instructionLimit || error.code == .deadline)
    }

    @Test("string.dump does not exist")
    func stringDump() throws {
        let error = try failure(of: "local f = load(string.dump(function() end))")
        #expect(error.message.contains("dump"))
    }

    @Test("a binary chunk is refused by load")
    func binaryChunk() throws {
        let error = try failure(of: "local f, message = load('\\27Lua' .. ('x'):rep(20)) error(message)")
        #expect(error.message.contains("binary chunk"))
    }

    @Test("require cannot leave the flows directory")
    func requireOutside() throws {
        let error = try failure(of: "return require('../../etc/passwd')")
        #expect(error.message.contains("invalid module name"))
    }

    @Test("io, os.execute and os.exit are absent", arguments: ["io.open('/etc/passwd')", "os.execute('true')", "os.exit(1)", "os.getenv('HOME')", "debug.getinfo(1)", "package.loadlib('x', 'y')", "dofile('/etc/passwd')"])
    func forbiddenLibraries(call: String) throws {
        let error = try failure(of: call)
        #expect(error.code == .runtime)
        #expect(error.message.contains("nil"))
    }

    @Test("collectgarbage is unavailable: memory use differs between workers", arguments: ["'stop'", "'count'", ""])
    func collectgarbage(option: String) throws {
        #expect(try failure(of: "collectgarbage(\(option))").message.contains("collectgarbage is not available in flows"))
    }

    @Test("__gc metamethods are refused")
    func finalizers() throws {
        let error = try failure(of: "setmetatable({}, { __gc = function() while true do end end })")
        #expect(error.message.contains("__gc"))
    }

    @Test("the string metatable is locked")
    func stringMetatable() throws {
        let error = try failure(of: "getmetatable('').__index = {}")
        #expect(error.message.contains("index a boolean value"))
    }

    @Test("an endless print loop stops, and the log stays capped")
    func endlessPrint() throws {
        let state = try LuaState(limits: Self.limits)
        let script = try state.load(source: "return function() while true do print('spam') end end", chunkName: "p.lua")
        #expect(throws: LuaError.self) { try state.call(script) }
        let log = state.takePrintedLines()
        #expect(log.lines.count * 5 <= Self.limits.printLogBytes)
        #expect(log.dropped > 0)
    }

    @Test("an error object whose __tostring raises is reported without calling it")
    func hostileErrorObject() throws {
        let error = try failure(of: "error(setmetatable({}, { __tostring = function() error('boom') end }))")
        #expect(error.message == "error object is a table value")
    }
}
