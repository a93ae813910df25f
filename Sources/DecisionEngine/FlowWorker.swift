import CLua
import DecideStore
import LuaRuntime

/// What one worker thread owns: a sandboxed Lua state with the decision engine installed, and the flows
/// compiled into it (cached by content hash, so a changed flow is compiled again and an unchanged one never is).
///
/// A worker is not `Sendable`: ``WorkerPool`` builds one per thread and hands it only to that thread's jobs.
/// When a limit leaves its state in doubt, the worker replaces the state itself before the next customer.
public final class FlowWorker: WorkerContext {
    /// The sandbox limits every state of this worker gets.
    public let limits: SandboxLimits
    /// The handle that stops this worker's calls when raised, if any.
    public let interrupt: LuaInterrupt?
    private(set) var state: LuaState
    private var engine: Int32
    private var flows: [String: CompiledFlow] = [:]
    /// The last source looked up and its content hash: a run asks for the same flow every batch.
    private var lastHashed: (source: FlowSource, hash: String)?
    private var channelNames: [String] = []

    /// A worker with a fresh state.
    ///
    /// - Parameters:
    ///   - limits: The limits every call runs under.
    ///   - interrupt: A handle whose raising stops the worker's calls (Ctrl-C in the REPL); every state the worker
    ///     makes watches it.
    public init(limits: SandboxLimits = .standard, interrupt: LuaInterrupt? = nil) throws(LuaError) {
        self.limits = limits
        self.interrupt = interrupt
        (state, engine) = try Self.makeState(limits: limits, interrupt: interrupt)
    }

    /// The worker replaces a poisoned state itself, so the pool never needs to.
    public var needsReplacement: Bool { false }

    private static func makeState(limits: SandboxLimits, interrupt: LuaInterrupt?) throws(LuaError) -> (LuaState, Int32) {
        let state = try LuaState(limits: limits, interrupt: interrupt)
        let engine = try state.installTrusted(source: EnginePrelude.source, chunkName: EnginePrelude.chunkName)
        return (state, engine)
    }

    private func replaceStateIfPoisoned() throws(LuaError) {
        guard state.isPoisoned else { return }
        (state, engine) = try Self.makeState(limits: limits, interrupt: interrupt)
        flows = [:]
        channelNames = []
    }

    func pushEngine(_ name: String) {
        state.push(reference: engine)
        lua_getfield(state.pointer, -1, name)
        lua_rotate(state.pointer, -2, 1)
        clua_pop(state.pointer, 1)
    }

    // MARK: - Loading

    /// Loads a flow (from its snapshot, or from the flows directory when it has none) and returns it compiled.
    ///
    /// - Throws: ``FlowError``: the flow does not load, or its definition has problems (all of them listed).
    func compile(_ source: FlowSource) throws(FlowError) -> CompiledFlow {
        let hash = contentHash(of: source)
        if source.modules != nil, let cached = flows[hash] { return cached }
        do {
            try replaceStateIfPoisoned()
        } catch {
            throw FlowError(loading: source.key, error)
        }
        let resolver: any ModuleResolver =
            source.modules.map { SnapshotModuleResolver(flowPath: source.path, modules: $0) }
            ?? DirectoryModuleResolver(directory: directory(of: source.path))
        let script: LoadedScript
        do {
            script = try state.load(source: source.source, chunkName: source.path, resolver: resolver)
        } catch {
            throw FlowError(loading: source.key, error)
        }
        var snapshot = source
        snapshot.modules = script.modules
        pushEngine("compile")
        state.push(reference: script.value)
        state.push(string: source.path)
        state.push(reference: script.context)
        do {
            try state.protectedCall(arguments: 3, results: 2)
        } catch {
            state.unload(script)
            throw FlowError(loading: source.key, error)
        }
        let problems = (try? state.value(at: -1)) ?? .nil
        clua_pop(state.pointer, 1)
        guard lua_type(state.pointer, -1) == LUA_TTABLE else {
            clua_pop(state.pointer, 1)
            state.unload(script)
            let list = if case .array(let items) = problems { items.compactMap(\.stringValue) } else { [String]() }
            throw FlowError(.invalid, flow: source.key, problems: list)
        }
        let reference = state.popReference()
        let description = describe(reference: reference, key: source.key)
        let compiled = CompiledFlow(
            source: snapshot, reference: reference, script: script, description: description,
            usesRandom: snapshot.usesRandom
        )
        if let stale = flows.updateValue(compiled, forKey: snapshot.contentHash), stale.reference != reference {
            release(stale)
        }
        return compiled
    }

    /// The source's content hash, computed once for a source asked for again (equal strings sharing their storage
    /// compare in constant time).
    private func contentHash(of source: FlowSource) -> String {
        if let last = lastHashed, last.source == source { return last.hash }
        let hash = source.contentHash
        lastHashed = (source, hash)
        return hash
    }

    private func release(_ flow: CompiledFlow) {
        state.release(reference: flow.reference)
        state.unload(flow.script)
    }

    private func describe(reference: Int32, key: String) -> FlowDescription {
        pushEngine("describe")
        state.push(reference: reference)
        guard (try? state.protectedCall(arguments: 1, results: 1)) != nil else {
            return FlowDescription(key: key, name: key, description: "", offers: [], stages: [])
        }
        let value = (try? state.value(at: -1)) ?? .nil
        clua_pop(state.pointer, 1)
        func list(_ field: String) -> [LuaValue] {
            if case .array(let items) = value[field] { return items }
            return []
        }
        return FlowDescription(
            key: key,
            name: value["name"].stringValue ?? key,
            description: value["description"].stringValue ?? "",
            offers: list("offers").map {
                .init(id: $0["id"].stringValue ?? "", name: $0["name"].stringValue ?? "", active: $0["active"] != false)
            },
            stages: list("stages").map { .init(name: $0["name"].stringValue ?? "", kind: $0["kind"].stringValue ?? "") }
        )
    }

    private func directory(of path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count > 1 ? parts.dropLast().joined(separator: "/") : "."
    }

    /// The flow as a complete snapshot: its source plus the source of every module it required.
    ///
    /// - Throws: ``FlowError`` when the flow does not load or has problems.
    public func snapshot(of source: FlowSource) throws(FlowError) -> FlowSource {
        try compile(source).source
    }

    /// What the flow declares (name, offers, stages).
    ///
    /// - Throws: ``FlowError`` when the flow does not load or has problems.
    public func describe(_ source: FlowSource) throws(FlowError) -> FlowDescription {
        try compile(source).description
    }

    // MARK: - Deciding

    /// Decides every customer of `batch` with the flow: the batch path, with no trace.
    ///
    /// A customer whose decision fails gets no recommendations and an entry in ``BatchDecisions/errors``, and the
    /// batch goes on (on a fresh state if a limit was hit).
    /// - Parameter seed: The run's seed; with the customer id it seeds `math.random` for each customer.
    /// - Throws: ``FlowError`` when the flow itself does not load.
    public func decide(_ batch: CustomerBatch, flow source: FlowSource, seed: UInt64 = 0) throws(FlowError)
        -> BatchDecisions
    {
        var flow = try compile(source)
        var decisions = BatchDecisions()
        decisions.customerIds.reserveCapacity(batch.customers.count)
        decisions.ends.reserveCapacity(batch.customers.count)
        var start = 0
        while start < batch.customers.count {
            start = decide(batch, from: start, flow: flow, seed: seed, into: &decisions)
            if start < batch.customers.count { flow = try compile(source) }
        }
        decisions.channelNames = channelNames
        decisions.funnel = takeFunnel(flow)
        return decisions
    }

    /// Decides customers from `start` on until the batch ends or a limit poisons the state; returns where it
    /// stopped.
    private func decide(
        _ batch: CustomerBatch, from start: Int, flow: CompiledFlow, seed: UInt64, into decisions: inout BatchDecisions
    ) -> Int {
        let L = state.pointer
        let base = lua_gettop(L)
        defer { lua_settop(L, base) }
        pushEngine("customer_data")
        let data = lua_gettop(L)
        pushEngine("results")
        let results = lua_gettop(L)
        pushEngine("decide")
        let decide = lua_gettop(L)
        let names = pushFieldNames(batch.fieldNames)
        clearTable(at: data)
        let usesRandom = flow.usesRandom
        var index = start
        while index < batch.customers.count {
            let customer = batch.customers[index]
            index += 1
            fill(data: data, names: names, with: customer)
            lua_pushvalue(L, decide)
            state.push(reference: flow.reference)
            if usesRandom {
                lua_pushinteger(L, lua_Integer(truncatingIfNeeded: Self.seed(seed, customer.id)))
            } else {
                lua_pushnil(L)
            }
            do {
                try state.protectedCall(arguments: 2, results: 1)
            } catch {
                decisions.errorIndexes.append(decisions.customerIds.count)
                decisions.errors.append(decisionError(error, flow: flow, customerId: customer.id))
                decisions.customerIds.append(customer.id)
                decisions.ends.append(decisions.offerIndexes.count)
                if state.isPoisoned { return index }
                continue
            }
            let count = Int(clua_tointeger(L, -1))
            clua_pop(L, 1)
            for position in 0..<count {
                lua_rawgeti(L, results, lua_Integer(3 * position + 1))
                lua_rawgeti(L, results, lua_Integer(3 * position + 2))
                lua_rawgeti(L, results, lua_Integer(3 * position + 3))
                decisions.offerIndexes.append(Int32(clua_tointeger(L, -3)) - 1)
                let channel = Int(clua_tointeger(L, -2))
                if channel > channelNames.count { readChannelNames() }
                decisions.channelIndexes.append(Int32(channel - 1))
                decisions.scores.append(lua_type(L, -1) == LUA_TNUMBER ? clua_tonumber(L, -1) : .nan)
                clua_pop(L, 3)
            }
            decisions.customerIds.append(customer.id)
            decisions.ends.append(decisions.offerIndexes.count)
        }
        return index
    }

    /// The per-customer seed: the run's seed mixed with the customer id (FNV-1a), so results never depend on
    /// which worker or batch decided a customer.
    static func seed(_ runSeed: UInt64, _ customerId: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ runSeed
        for byte in customerId.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash >> 1)
    }

    /// Pushes the batch's field names as an array, so each customer's keys are pushed without hashing a string.
    func pushFieldNames(_ fieldNames: [String]) -> Int32 {
        let L = state.pointer
        lua_createtable(L, Int32(fieldNames.count), 0)
        for (offset, name) in fieldNames.enumerated() {
            state.push(string: name)
            lua_rawseti(L, -2, lua_Integer(offset + 1))
        }
        return lua_gettop(L)
    }

    /// Writes one customer's values into the engine's customer data table (raw sets, `nil` for missing values).
    func fill(data: Int32, names: Int32, with customer: Customer) {
        let L = state.pointer
        for (offset, value) in customer.values.enumerated() {
            lua_rawgeti(L, names, lua_Integer(offset + 1))
            push(value)
            lua_rawset(L, data)
        }
    }

    func clearTable(at index: Int32) {
        let L = state.pointer
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            clua_pop(L, 1)
            lua_pushvalue(L, -1)
            lua_pushnil(L)
            lua_rawset(L, index)
        }
    }

    private func push(_ value: AttributeValue) {
        let L = state.pointer
        switch value {
        case .null: lua_pushnil(L)
        case .integer(let number): lua_pushinteger(L, lua_Integer(number))
        case .real(let number): lua_pushnumber(L, number)
        case .text(let text): state.push(string: text)
        case .boolean(let flag): lua_pushboolean(L, flag ? 1 : 0)
        }
    }

    private func readChannelNames() {
        pushEngine("channel_names")
        if case .array(let names) = (try? state.value(at: -1)) ?? .nil {
            channelNames = names.compactMap(\.stringValue)
        }
        clua_pop(state.pointer, 1)
    }

    private func takeFunnel(_ flow: CompiledFlow) -> [StageTally] {
        pushEngine("take_funnel")
        state.push(reference: flow.reference)
        guard (try? state.protectedCall(arguments: 1, results: 1)) != nil else { return [] }
        defer { clua_pop(state.pointer, 1) }
        guard case .array(let stages) = (try? state.value(at: -1)) ?? .nil else { return [] }
        return stages.map { pair in
            guard case .array(let counts) = pair, counts.count == 2,
                case .integer(let received) = counts[0], case .integer(let passed) = counts[1]
            else { return StageTally(received: 0, passed: 0) }
            return StageTally(received: Int(received), passed: Int(passed))
        }
    }

    func decisionError(_ error: LuaError, flow: CompiledFlow, customerId: String) -> DecisionError {
        var stage: String?
        var offer: String?
        if !state.isPoisoned {
            pushEngine("where")
            if (try? state.protectedCall(arguments: 0, results: 3)) != nil {
                stage = (try? state.value(at: -3))?.stringValue
                offer = (try? state.value(at: -1))?.stringValue
                clua_pop(state.pointer, 3)
            }
        }
        return DecisionError(flow: flow.source.key, customerId: customerId, stage: stage, offerId: offer, error: error)
    }
}
