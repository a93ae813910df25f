import CLua
import LuaRuntime

extension FlowWorker {
    /// The flow's offers as data, in catalogue order: each offer's own table (`id`, `name`, and whatever fields
    /// the catalogue gives it), with functions left out.
    ///
    /// - Throws: ``FlowError`` when the flow does not load or has problems.
    public func catalogue(of source: FlowSource) throws(FlowError) -> [LuaValue] {
        let flow = try compile(source)
        pushEngine("catalogue")
        state.push(reference: flow.reference)
        do {
            try state.protectedCall(arguments: 1, results: 1)
        } catch {
            throw FlowError(loading: source.key, error)
        }
        defer { clua_pop(state.pointer, 1) }
        if case .array(let offers) = (try? state.value(at: -1)) ?? .nil { return offers }
        return []
    }
}
