import DecideStore
import LuaRuntime

extension FlowWorker {
    /// The benchmark's ceiling: the same decision loop written entirely in Lua inside the flow's state, with the
    /// customers already in Lua tables, so no Swift marshalling is paid. Returns customers decided per second.
    ///
    /// Runs as one call of trusted code. Without `metered`, the loop runs at Lua's raw speed, as a flow's call does
    /// within its unmetered grace (every customer's call, unless one runs away): the like-for-like ceiling. With
    /// it, the sandbox's instruction-count hook is armed from the first instruction (with no budget, so the long
    /// loop is not stopped), as it is for every call of a state with no grace: it shows what metering costs.
    package func pureLuaCeiling(
        _ batch: CustomerBatch, flow source: FlowSource, repetitions: Int, metered: Bool
    ) throws -> Double {
        let flow = try state(of: source)
        let customers = LuaValue.array(batch.customers.map { .array($0.values.map(\.luaValue)) })
        let clock = ContinuousClock()
        let started = clock.now
        try flow.runCeiling(
            Self.ceilingLoop, customers: customers, fieldNames: batch.fieldNames, repetitions: repetitions, metered: metered)
        let elapsed = clock.now - started
        return Double(batch.customers.count * repetitions) / (elapsed / .seconds(1))
    }

    private static let ceilingLoop = """
        return function(data, results, decide, names, customers, repetitions)
            local rawset, field_count, total = rawset, #names, 0
            for _ = 1, repetitions do
                for c = 1, #customers do
                    local values = customers[c]
                    for f = 1, field_count do rawset(data, names[f], values[f]) end
                    local n = decide(c)
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
