import Foundation
import Testing

@testable import LuaRuntime

/// Calls start unmetered and the watchdog arms the instruction budget once a call outlives its grace: runaway
/// scripts must still stop, in the main thread and in coroutines, and a grace of 0 keeps the budget exact.
@Suite("Metering after the unmetered grace")
struct MeteringTests {
    /// Loads `source` (a chunk returning a function) into a fresh state and calls it; returns the error it raised
    /// and how long the call took.
    private func runaway(_ source: String, limits: SandboxLimits = .standard, interrupt: LuaInterrupt? = nil)
        throws -> (error: LuaError, seconds: Double)
    {
        let state = try LuaState(limits: limits, interrupt: interrupt)
        let script = try state.load(source: source, chunkName: "flows/runaway.lua")
        let started = Date()
        let error = try #require(throws: LuaError.self) { try state.call(script) }
        return (error, Date().timeIntervalSince(started))
    }

    @Test("a call shorter than its grace runs with no instruction counted")
    func shortCallUnmetered() throws {
        let state = try LuaState()
        let script = try state.load(source: "return function() local s = 0 for i = 1, 1000 do s = s + i end return s end",
                                    chunkName: "flows/short.lua")
        #expect(try state.call(script) == 500_500)
        #expect(state.lastInstructionCount == 0)
    }

    @Test("an endless loop in a plain call stops at the budget, well within the deadline, with the default grace")
    func plainLoopStops() throws {
        let (error, seconds) = try runaway("return function() while true do end end")
        #expect(error.code == .instructionLimit)
        #expect(seconds < SandboxLimits.standard.deadlineSeconds)
    }

    @Test("an endless loop inside a coroutine stops with the default grace", arguments: [
        "return function() coroutine.wrap(function() while true do end end)() end",
        "return function() local co = coroutine.create(function() while true do end end) return coroutine.resume(co) end",
        "return function() local co = coroutine.create(function() coroutine.yield() while true do end end) "
            + "coroutine.resume(co) for i = 1, 1e5 do end return coroutine.resume(co) end",
        "return function() while true do pcall(coroutine.wrap(function() while true do end end)) end end",
    ])
    func coroutineLoopStops(source: String) throws {
        let (error, seconds) = try runaway(source)
        #expect(error.code == .instructionLimit)
        #expect(seconds < SandboxLimits.standard.deadlineSeconds)
    }

    @Test("a coroutine created while the flow loads is metered when a later call resumes it")
    func coroutineFromLoadTime() throws {
        let (error, _) = try runaway("""
            local co = coroutine.wrap(function() coroutine.yield() while true do end end)
            co()
            return function() co() end
            """)
        #expect(error.code == .instructionLimit)
    }

    @Test("with no grace, the budget stops a loop at the same instruction every time")
    func exactBudgetWithoutGrace() throws {
        let limits = SandboxLimits(instructionBudget: 100_000, unmeteredGraceSeconds: 0)
        let source = """
            local box = { 0 }
            return function(read)
              if read then return box[1] end
              while true do box[1] = box[1] + 1 end
            end
            """
        var iterations: [LuaValue] = []
        for _ in 0..<3 {
            let state = try LuaState(limits: limits)
            let script = try state.load(source: source, chunkName: "flows/counted.lua")
            let error = try #require(throws: LuaError.self) { try state.call(script) }
            #expect(error.code == .instructionLimit)
            #expect(state.lastInstructionCount > 100_000 && state.lastInstructionCount <= 101_000)
            iterations.append(try state.call(script, [true]))
        }
        #expect(Set(iterations).count == 1)
        let short = try LuaState(limits: limits)
        let script = try short.load(source: "return function() for i = 1, 100 do end end", chunkName: "flows/short.lua")
        try short.call(script)
        #expect(short.lastInstructionCount == 0, "counted in steps of a thousand")
    }

    @Test("a budget under a million instructions is exact: a short call over it fails though the default grace is longer")
    func smallBudgetIsExact() throws {
        let state = try LuaState(limits: SandboxLimits(instructionBudget: 1000))
        let script = try state.load(source: "return function() local s = 0 for i = 1, 5000 do s = s + i end return s end",
                                    chunkName: "flows/small.lua")
        #expect(throws: LuaError.self) { try state.call(script) }
        #expect(SandboxLimits(instructionBudget: 1000).effectiveGraceSeconds == 0)
        #expect(SandboxLimits(instructionBudget: 2_000_000).effectiveGraceSeconds == 0.002)
        #expect(SandboxLimits.standard.effectiveGraceSeconds == 0.01)
    }

    @Test("a grace longer than the deadline is cut to it, so the deadline still stops the call")
    func graceCappedAtDeadline() throws {
        let limits = SandboxLimits(instructionBudget: 0, deadlineSeconds: 0.2, unmeteredGraceSeconds: 30)
        let (error, seconds) = try runaway("return function() while true do end end", limits: limits)
        #expect(error.code == .deadline)
        #expect(seconds < 2)
    }

    @Test("runaway loops on several worker threads at once all stop at the budget")
    func concurrentRunaways() async throws {
        let pool = WorkerPool(workers: 2) { _ in try ScriptWorker() }
        defer { pool.shutdown() }
        let codes: [LuaError.Code?] = try await withThrowingTaskGroup(of: LuaError.Code?.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await pool.run { worker -> LuaError.Code? in
                        let script = try worker.state.load(source: "return function() while true do end end",
                                                           chunkName: "flows/runaway.lua")
                        do throws(LuaError) {
                            try worker.state.call(script)
                            return nil
                        } catch {
                            return error.code
                        }
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(codes == Array(repeating: LuaError.Code.instructionLimit, count: 4))
    }

    @Test("an interrupt stops a call that is still within its grace")
    func interruptUnmeteredCall() throws {
        let interrupt = LuaInterrupt()
        let limits = SandboxLimits(instructionBudget: 0, deadlineSeconds: 0, unmeteredGraceSeconds: 30)
        let raiser = Thread {
            Thread.sleep(forTimeInterval: 0.2)
            interrupt.raise()
        }
        raiser.start()
        // Without the interrupt the call would run for its 30 s of grace and end with the deadline's code.
        let (error, _) = try runaway("return function() while true do end end", limits: limits, interrupt: interrupt)
        #expect(error.code == .interrupted)
    }
}

/// A worker context that is just a sandboxed state.
private final class ScriptWorker: WorkerContext {
    let state: LuaState
    var needsReplacement: Bool { state.isPoisoned }

    init() throws {
        state = try LuaState()
    }
}
