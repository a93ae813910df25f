import LuaRuntime

/// Lua typed at the prompt, run in a sandboxed state of its own: the same allow-listed environment and limits
/// as flows (with the budget of ``ReplConfiguration/consoleLimits``), `customer`, `offers` and `candidates` in
/// scope, and globals kept from one line to the next.
///
/// Not `Sendable`: it lives on the REPL's one thread.
final class LuaConsole {
    private let limits: SandboxLimits
    private let interrupt: LuaInterrupt
    private var state: LuaState
    private var evaluator: LoadedScript

    /// A console whose calls `interrupt` stops.
    init(limits: SandboxLimits, interrupt: LuaInterrupt) throws(LuaError) {
        self.limits = limits
        self.interrupt = interrupt
        (state, evaluator) = try Self.makeState(limits: limits, interrupt: interrupt)
    }

    private static func makeState(limits: SandboxLimits, interrupt: LuaInterrupt) throws(LuaError)
        -> (LuaState, LoadedScript)
    {
        let state = try LuaState(limits: limits, interrupt: interrupt)
        // Named like the lines it compiles, so that a syntax error reads `repl:1: ...` and not also the position
        // in the evaluator that re-raises it.
        return (state, try state.load(source: evaluatorSource, chunkName: "repl"))
    }

    /// Runs one line: as an expression if it is one (its values are returned, pretty-printed), else as statements.
    ///
    /// - Returns: What the line printed, then each value it returned as text.
    /// - Throws: ``LuaError``: syntax and runtime errors, limits, Ctrl-C. After a limit the console starts a fresh
    ///   state, so globals set by earlier lines are gone.
    func evaluate(_ line: String, scope: [LuaValue]) throws(LuaError) -> [String] {
        do {
            let values = try state.call(evaluator, [.string(line)] + scope)
            var lines = state.takePrintedLines().lines
            if case .array(let shown) = values { lines += shown.compactMap(\.stringValue) }
            return lines
        } catch {
            if state.isPoisoned { (state, evaluator) = try Self.makeState(limits: limits, interrupt: interrupt) }
            throw error
        }
    }

    /// Evaluates an expression and returns its value as data (for `:set` and `:customer {...}`).
    ///
    /// - Throws: ``LuaError`` as ``evaluate(_:scope:)``; ``LuaError/Code/badValue`` for a function.
    func value(of expression: String, scope: [LuaValue]) throws(LuaError) -> LuaValue {
        do {
            return try state.call(evaluator, [.string(expression)] + scope + [.boolean(true)])
        } catch {
            if state.isPoisoned { (state, evaluator) = try Self.makeState(limits: limits, interrupt: interrupt) }
            throw error
        }
    }

    /// The evaluator: a function of the line, the scope, and whether to return the raw value; the session table
    /// (created when it loads, so it persists) holds the user's globals.
    private static let evaluatorSource = #"""
    local session = setmetatable({}, { __index = _G })
    local format, concat, sort, mtype = string.format, table.concat, table.sort, math.type

    local function key_order(a, b)
        local ta, tb = type(a), type(b)
        if ta ~= tb then return ta == "number" end
        if ta == "number" or ta == "string" then return a < b end
        return tostring(a) < tostring(b)
    end

    local function show(value, indent, seen)
        local kind = type(value)
        if kind == "string" then return format("%q", value) end
        if kind ~= "table" then return tostring(value) end
        if seen[value] then return "<cycle>" end
        seen[value] = true
        local keys, n = {}, #value
        for key in pairs(value) do keys[#keys + 1] = key end
        sort(keys, key_order)
        local parts = {}
        for _, key in ipairs(keys) do
            local text = show(value[key], indent .. "  ", seen)
            if mtype(key) == "integer" and key >= 1 and key <= n then
                parts[#parts + 1] = text
            elseif type(key) == "string" and key:match("^[%a_][%w_]*$") then
                parts[#parts + 1] = key .. " = " .. text
            else
                parts[#parts + 1] = "[" .. show(key, "", seen) .. "] = " .. text
            end
        end
        seen[value] = nil
        if #parts == 0 then return "{}" end
        local flat = "{ " .. concat(parts, ", ") .. " }"
        if #flat + #indent <= 100 and not flat:find("\n", 1, true) then return flat end
        return "{\n" .. indent .. "  " .. concat(parts, ",\n" .. indent .. "  ") .. "\n" .. indent .. "}"
    end

    return function(line, customer, offers, candidates, raw)
        session.customer, session.offers, session.candidates = customer, offers, candidates
        local chunk = load("return " .. line, "@repl", "t", session)
        if not chunk then
            local message
            chunk, message = load(line, "@repl", "t", session)
            if not chunk then error(message, 0) end
        end
        if raw then return (chunk()) end
        local results = table.pack(chunk())
        local shown = {}
        for i = 1, results.n do shown[i] = show(results[i], "", {}) end
        return shown
    end
    """#
}
