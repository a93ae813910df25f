import CLua
import CLuaSandbox
import DecideStore
import LuaRuntime

extension FlowWorker {
    /// The benchmark's ceiling: the same decision loop written entirely in Lua inside this state, with the
    /// customers already in Lua tables, so no Swift marshalling is paid. Returns customers decided per second.
    ///
    /// Runs as one call of trusted code. Without `metered`, the loop runs at Lua's raw speed, as a flow's call does
    /// within its unmetered grace (every customer's call, unless one runs away): the like-for-like ceiling. With
    /// it, the sandbox's instruction-count hook is armed from the first instruction (with no budget, so the long
    /// loop is not stopped), as it is for every call of a state with no grace: it shows what metering costs.
    package func pureLuaCeiling(
        _ batch: CustomerBatch, flow source: FlowSource, repetitions: Int, metered: Bool
    ) throws -> Double {
        let flow = try compile(source)
        let L = state.pointer
        let base = lua_gettop(L)
        defer { lua_settop(L, base) }
        let loop = try state.installTrusted(source: Self.ceilingLoop, chunkName: "ceiling")
        state.push(reference: loop)
        pushEngine("customer_data")
        pushEngine("results")
        pushEngine("decide")
        state.push(reference: flow.reference)
        _ = pushFieldNames(batch.fieldNames)
        lua_createtable(L, Int32(batch.customers.count), 0)
        for (index, customer) in batch.customers.enumerated() {
            lua_createtable(L, Int32(customer.values.count), 0)
            for (offset, value) in customer.values.enumerated() {
                state.push(value.luaValue)
                lua_rawseti(L, -2, lua_Integer(offset + 1))
            }
            lua_rawseti(L, -2, lua_Integer(index + 1))
        }
        lua_pushinteger(L, lua_Integer(repetitions))
        let clock = ContinuousClock()
        let started = clock.now
        if metered {
            var unlimited = limits
            unlimited.instructionBudget = 0
            unlimited.deadlineSeconds = 0
            unlimited.unmeteredGraceSeconds = 0
            state.setCallLimits(unlimited)
            defer { state.setCallLimits(limits) }
            try state.protectedCall(arguments: 7, results: 1)
        } else {
            guard clua_pcall(L, 7, 1, 0) == LUA_OK else { throw LuaError(.runtime, state.stringAt(-1)) }
        }
        let elapsed = clock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(batch.customers.count * repetitions) / seconds
    }

    private static let ceilingLoop = """
        local api = ...
        return function(data, results, decide, flow, names, customers, repetitions)
            local rawset, field_count, total = rawset, #names, 0
            for _ = 1, repetitions do
                for c = 1, #customers do
                    local values = customers[c]
                    for f = 1, field_count do rawset(data, names[f], values[f]) end
                    local n = decide(flow, nil)
                    for k = 1, 3 * n do total = total + (results[k] and 1 or 0) end
                end
            end
            return total
        end
        """
}

extension AttributeValue {
    /// The value as Lua sees it.
    var luaValue: LuaValue {
        switch self {
        case .null: .nil
        case .integer(let number): .integer(number)
        case .real(let number): .number(number)
        case .text(let text): .string(text)
        case .boolean(let flag): .boolean(flag)
        }
    }
}
