import DecideStore
import LuaRuntime

extension FlowWorker {
    /// The benchmark's ceiling: the same decision loop written entirely in Lua inside the flow's state, with the
    /// customers already in Lua tables, so no Swift marshalling is paid. Returns customers decided per second.
    ///
    /// The customers are handed to the state a batch of 1,000 at a time, as a worker gets them, and only the loop is
    /// timed: turning them into Lua tables is not, as the plain loop's parsing is not. Each batch is decided
    /// `repetitions` times. Runs as one call of trusted code per batch. Without `metered`, the loop runs at Lua's
    /// raw speed, as a flow's call does within its unmetered grace (every customer's call, unless one runs away):
    /// the like-for-like ceiling. With it, the sandbox's instruction-count hook is armed from the first instruction
    /// (with no budget, so the long loop is not stopped), as it is for every call of a state with no grace: it shows
    /// what metering costs.
    package func pureLuaCeiling(
        _ batch: CustomerBatch, flow source: FlowSource, repetitions: Int, metered: Bool
    ) throws -> Double {
        let flow = try state(of: source)
        let loop = try flow.installCeiling(Self.ceilingLoop)
        defer { flow.releaseCeiling(loop) }
        let clock = ContinuousClock()
        var elapsed = Duration.zero
        for start in stride(from: 0, to: batch.customers.count, by: 1000) {
            let slice = batch.customers[start..<min(start + 1000, batch.customers.count)]
            try flow.callCeiling(loop, customers: .array(slice.map { .array($0.values.map(\.luaValue)) }),
                                 fieldNames: batch.fieldNames, repetitions: 0, metered: false)
            let started = clock.now
            try flow.callCeiling(loop, customers: nil, fieldNames: batch.fieldNames, repetitions: repetitions,
                                 metered: metered)
            elapsed += clock.now - started
        }
        return Double(batch.customers.count * repetitions) / (elapsed / .seconds(1))
    }

    private static let ceilingLoop = """
        local customers = {}
        return function(data, results, decide, names, batch, repetitions)
            if batch then
                customers = batch
                return 0
            end
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
