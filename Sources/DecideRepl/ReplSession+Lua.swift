import LuaRuntime

extension ReplSession {
    /// Any line that is not a command: Lua in the console's sandbox, with `customer`, `offers` and `candidates`.
    func evaluateLua(_ source: String) throws {
        for line in try console.evaluate(source, scope: scope()) { say(line) }
    }

    /// What Lua lines see: the customer (with what-ifs), the flow's offers, the candidates at the current stage.
    func scope() -> [LuaValue] {
        let customerValue: LuaValue = customer.map { .table(Self.fields(of: $0)) } ?? .nil
        return [customerValue, .array(flow?.catalogue ?? []), candidateValues()]
    }
}
