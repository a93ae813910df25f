import DecideStore
import Foundation
import LuaRuntime

/// One flow compiled into a sandboxed Lua state of its own, with the decision engine installed.
///
/// A state holds exactly one flow, so nothing one flow does (its memory, its tables, a limit it hits) can reach
/// another. When a limit leaves the state in doubt (``isDamaged``), the ``FlowWorker`` that owns it builds a new
/// one before the next customer; a damaged state is never called again.
final class FlowState {
    /// The flow as a complete snapshot: its source and the source of every module it required.
    let source: FlowSource
    /// What the flow declares.
    let description: FlowDescription
    private let state: LuaState
    private let entry: EntryPoints
    /// The channel names the engine has numbered so far (Lua's channel id `k` is `channelNames[k - 1]`).
    private(set) var channelNames: [String] = []
    private var decisionTime: Date?
    /// The decision time in milliseconds since 1970, from which history entries' ages are counted.
    private var decisionMilliseconds: Int64 = 0

    /// Registry references to the engine's entry points and tables.
    private struct EntryPoints {
        let decide, decideAll, trace, location, takeFunnel, catalogue, customerData, results, channelNames: Int32
        let historyNames, historyOffer, historyChannel, historyOutcome, historyAge, historySize: Int32

        init(engine: Int32, in state: LuaState) {
            decide = state.reference(toField: "decide", of: engine)
            decideAll = state.reference(toField: "decide_all", of: engine)
            trace = state.reference(toField: "trace", of: engine)
            location = state.reference(toField: "where", of: engine)
            takeFunnel = state.reference(toField: "take_funnel", of: engine)
            catalogue = state.reference(toField: "catalogue", of: engine)
            customerData = state.reference(toField: "customer_data", of: engine)
            results = state.reference(toField: "results", of: engine)
            channelNames = state.reference(toField: "channel_names", of: engine)
            historyNames = state.reference(toField: "history_names", of: engine)
            historyOffer = state.reference(toField: "history_offer", of: engine)
            historyChannel = state.reference(toField: "history_channel", of: engine)
            historyOutcome = state.reference(toField: "history_outcome", of: engine)
            historyAge = state.reference(toField: "history_age", of: engine)
            historySize = state.reference(toField: "history_size", of: engine)
        }

        /// The history tables, in the order ``FlowState/HistorySlots`` expects them after `first`.
        var history: [Int32] { [historyNames, historyOffer, historyChannel, historyOutcome, historyAge, historySize] }
    }

    /// Loads and compiles a flow in a new state.
    ///
    /// - Parameters:
    ///   - source: The flow (from its snapshot, or from the flows directory when it has none).
    ///   - loadSeed: What `math.random` is seeded with while the flow's top level runs.
    /// - Throws: ``FlowError``: the flow does not load, or its definition has problems (all of them listed).
    init(_ source: FlowSource, loadSeed: Int64, limits: SandboxLimits, interrupt: LuaInterrupt?) throws(FlowError) {
        do {
            state = try LuaState(limits: limits, interrupt: interrupt)
        } catch {
            throw FlowError(loading: source.key, error)
        }
        let engine: Int32
        let script: LoadedScript
        do {
            engine = try state.installTrusted(source: TrustedEngine.source, chunkName: TrustedEngine.chunkName)
            let resolver: any ModuleResolver =
                source.modules.map { SnapshotModuleResolver(flowPath: source.path, modules: $0) }
                ?? DirectoryModuleResolver(
                    directory: source.moduleDirectory ?? Self.directory(of: source.path),
                    shownAs: Self.directory(of: source.path))
            script = try state.load(source: source.source, chunkName: source.path, resolver: resolver, seed: loadSeed)
        } catch {
            throw FlowError(loading: source.key, error)
        }
        entry = EntryPoints(engine: engine, in: state)
        var snapshot = source
        snapshot.modules = script.modules
        self.source = snapshot
        let compile = state.reference(toField: "compile", of: engine)
        let problems: LuaValue
        do {
            problems = try state.call(
                compile, [.reference(script.value), .value(.string(source.path)), .reference(script.context)])
        } catch {
            throw FlowError(loading: source.key, error)
        }
        if case .array(let list) = problems, !list.isEmpty {
            throw FlowError(.invalid, flow: source.key, problems: list.compactMap(\.stringValue))
        }
        let describe = state.reference(toField: "describe", of: engine)
        let value: LuaValue
        do {
            value = try state.call(describe, [])
        } catch {
            throw FlowError(loading: source.key, error)
        }
        var description = FlowDescription(key: source.key, value: value)
        // A flow that names `history` anywhere in its code may read any of it; one with only policies reads their
        // outcomes over their longest window.
        if snapshot.source.contains("history") || (snapshot.modules ?? [:]).values.contains(where: { $0.contains("history") }) {
            description.historyScope = .all
        } else {
            let policies = description.stages.filter { $0.days != nil }
            if let days = policies.compactMap(\.days).max() {
                description.historyScope = HistoryScope(days: days, outcomes: Set(policies.compactMap(\.outcome)))
            }
        }
        self.description = description
    }

    /// The directory part of a file name, empty for a bare name (`cross_sell.lua`).
    private static func directory(of path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count > 1 ? parts.dropLast().joined(separator: "/") : ""
    }

    /// Whether a limit (or a refused allocation) left the state in doubt: it must not decide again.
    var isDamaged: Bool { state.isPoisoned }

    /// Bytes the state holds.
    var memoryUsed: Int { state.memoryUsed }

    /// Makes `time` the decision time of the next calls: what `os.time()` and `os.date()` without a time argument
    /// return (its whole seconds), and what history windows are counted back from (to the millisecond).
    func setDecisionTime(_ time: Date) {
        guard decisionTime != time else { return }
        state.setDecisionTime(Int64(time.timeIntervalSince1970.rounded(.down)))
        decisionTime = time
        decisionMilliseconds = time.milliseconds
    }

    /// Where the history tables are in a frame: `first` and the five slots after it.
    private struct HistorySlots {
        let names, offer, channel, outcome, age, size: Int
        init(first: Int) {
            (names, offer, channel, outcome, age, size) = (first, first + 1, first + 2, first + 3, first + 4, first + 5)
        }
    }

    /// Gives the engine the names `history` uses (once per batch), or marks the history as not read.
    private func setHistoryNames(_ history: InteractionHistory?, frame: borrowing LuaState.Frame, slots: HistorySlots) {
        frame.setInteger(slots.size, at: 1, 0)
        frame.setInteger(slots.size, at: 2, history == nil ? 0 : 1)
        guard let history else { return }
        for (offset, name) in history.names.enumerated() { frame.setString(slots.names, at: offset + 1, name) }
    }

    /// Gives the engine `customerId`'s entries of `history` that happened before the decision time, newest first.
    private func setHistory(
        of customerId: String, _ history: InteractionHistory?, frame: borrowing LuaState.Frame, slots: HistorySlots
    ) {
        guard let history else { return }
        var count = 0
        for position in history.entries(of: customerId) {
            let age = decisionMilliseconds - history.times[position]
            guard age > 0 else { continue }
            count += 1
            frame.setInteger(slots.offer, at: count, Int64(history.offers[position]) + 1)
            frame.setInteger(slots.channel, at: count, Int64(history.channels[position]) + 1)
            frame.setInteger(slots.outcome, at: count, Int64(history.outcomes[position]) + 1)
            frame.setInteger(slots.age, at: count, age)
        }
        frame.setInteger(slots.size, at: 1, Int64(count))
    }

    /// Decides the customers of `batch` from `start` on (the batch path, no trace) until the batch ends or a limit
    /// damages the state; returns where it stopped. A customer whose decision fails gets no recommendations and an
    /// entry in ``BatchDecisions/errors``, made by `failure`. With `candidates`, each customer's result is every
    /// candidate left after the last stage, uncut by `max_offers`, each with a score (a run with volume constraints).
    /// `history` is the batch's interaction history (`nil`: not read, the flow does not use it).
    func decide(
        _ batch: CustomerBatch, history: InteractionHistory?, from start: Int, seed: UInt64, candidates: Bool,
        channels: inout BatchChannels, into decisions: inout BatchDecisions,
        failure: (LuaError, String) -> DecisionError
    ) -> Int {
        let keys = state.reference(toSequence: batch.fieldNames)
        defer { state.release(reference: keys) }
        channels.startState()
        let (data, results, decide, names, knownChannels) = (0, 1, 2, 3, 4)
        let slots = HistorySlots(first: 5)
        return state.withFrame(
            [entry.customerData, entry.results, candidates ? entry.decideAll : entry.decide, keys, entry.channelNames]
                + entry.history
        ) { frame in
            frame.clear(data)
            setHistoryNames(history, frame: frame, slots: slots)
            var index = start
            while index < batch.customers.count {
                let customer = batch.customers[index]
                index += 1
                frame.set(data, keys: names, count: customer.values.count) { customer.values[$0].push(to: $1) }
                setHistory(of: customer.id, history, frame: frame, slots: slots)
                let count: Int
                do throws(LuaError) {
                    count = try frame.callReturningInteger(decide, FlowWorker.seed(seed, customer.id))
                } catch {
                    decisions.errorIndexes.append(decisions.customerIds.count)
                    decisions.errors.append(failure(error, customer.id))
                    decisions.customerIds.append(customer.id)
                    decisions.ends.append(decisions.offerIndexes.count)
                    if isDamaged { return index }
                    continue
                }
                for position in 0..<count {
                    decisions.offerIndexes.append(Int32(frame.rawInteger(results, at: 3 * position + 1) - 1))
                    let channel = frame.rawInteger(results, at: 3 * position + 2)
                    while channelNames.count < channel {
                        channelNames.append(frame.rawString(knownChannels, at: channelNames.count + 1) ?? "")
                    }
                    decisions.channelIndexes.append(channels.index(ofStateChannel: channel, named: channelNames))
                    decisions.scores.append(frame.rawNumber(results, at: 3 * position + 3) ?? .nan)
                }
                decisions.customerIds.append(customer.id)
                decisions.ends.append(decisions.offerIndexes.count)
            }
            return index
        }
    }

    /// Sets the customer the next ``trace(seed:)`` decides, with their interaction history (before the decision
    /// time; `nil`: not read).
    func setCustomer(_ customer: Customer, fieldNames: [String], history: InteractionHistory?) {
        let keys = state.reference(toSequence: fieldNames)
        defer { state.release(reference: keys) }
        let slots = HistorySlots(first: 2)
        state.withFrame([entry.customerData, keys] + entry.history) { frame in
            frame.clear(0)
            frame.set(0, keys: 1, count: customer.values.count) { customer.values[$0].push(to: $1) }
            setHistoryNames(history, frame: frame, slots: slots)
            setHistory(of: customer.id, history, frame: frame, slots: slots)
        }
    }

    /// Decides the current customer with every stage recorded.
    func trace(seed: Int64) throws(LuaError) -> (value: LuaValue, printed: [String]) {
        _ = state.takePrintedLines()
        let value = try state.call(entry.trace, [.value(.integer(seed))])
        return (value, state.takePrintedLines().lines)
    }

    /// Where the last failing call was: the stage and the offer, when it was in one. Nothing for a damaged state.
    func location() -> (stage: String?, offer: String?) {
        guard !state.isPoisoned, let value = try? state.call(entry.location, []) else { return (nil, nil) }
        return (value["stage"].stringValue, value["offer"].stringValue)
    }

    /// Per stage, how many candidates it received and passed on since the last time; zeros are kept.
    func takeFunnel() -> [StageTally] {
        guard !state.isPoisoned, case .array(let stages) = (try? state.call(entry.takeFunnel, [])) ?? .nil else {
            return []
        }
        return stages.map { pair in
            guard case .array(let counts) = pair, counts.count == 2,
                case .integer(let received) = counts[0], case .integer(let passed) = counts[1]
            else { return StageTally(received: 0, passed: 0) }
            return StageTally(received: Int(received), passed: Int(passed))
        }
    }

    /// The offers' own tables as data, as they were when the flow was compiled.
    func catalogue() throws(LuaError) -> [LuaValue] {
        if case .array(let offers) = try state.call(entry.catalogue, []) { return offers }
        return []
    }

    /// Installs the benchmark's ceiling loop (see ``FlowWorker/pureLuaCeiling(_:flow:repetitions:metered:)``);
    /// returns its reference, for ``callCeiling(_:customers:fieldNames:repetitions:metered:)`` and then
    /// ``releaseCeiling(_:)``.
    func installCeiling(_ loop: String) throws -> Int32 {
        try state.installTrusted(source: loop, chunkName: "=ceiling")
    }

    /// Calls the installed ceiling loop: with `customers` (an array of value arrays in `fieldNames` order), hands it
    /// the customers it decides from then on, as Lua tables; without, decides them `repetitions` times.
    func callCeiling(
        _ loop: Int32, customers: LuaValue?, fieldNames: [String], repetitions: Int, metered: Bool
    ) throws {
        let keys = state.reference(toSequence: fieldNames)
        defer { state.release(reference: keys) }
        let arguments: [LuaState.Argument] = [
            .reference(entry.customerData), .reference(entry.results), .reference(entry.decide), .reference(keys),
            .value(customers ?? .nil), .value(.integer(Int64(repetitions))),
        ]
        try state.call(loop, arguments, unlimited: true, metered: metered)
    }

    /// Releases an installed ceiling loop and the customers it holds.
    func releaseCeiling(_ loop: Int32) {
        state.release(reference: loop)
    }
}

/// The channel names of one batch, numbered in the order the batch first used them, whatever state named them.
struct BatchChannels {
    /// The names, by batch index.
    var names: [String] { table.names }
    private var table = NameTable()
    /// The batch index of each of the current state's channel ids (id 1 at position 0), -1 while unknown.
    private var ofState: [Int32] = []

    /// Starts deciding on a (new) state: its channel ids are its own.
    mutating func startState() {
        ofState = []
    }

    /// The batch index of the current state's channel `id`, whose name is `stateNames[id - 1]`: a hash lookup the
    /// first time the state uses the id, an array read after.
    mutating func index(ofStateChannel id: Int, named stateNames: [String]) -> Int32 {
        guard id >= 1 else { return table.number(of: "") }
        if id <= ofState.count, ofState[id - 1] >= 0 { return ofState[id - 1] }
        while ofState.count < id { ofState.append(-1) }
        let batchIndex = table.number(of: stateNames[id - 1])
        ofState[id - 1] = batchIndex
        return batchIndex
    }
}

/// The decision engine's trusted Lua, shipped as a resource file (`Sources/DecisionEngine/Lua/engine.lua`).
enum TrustedEngine {
    /// The engine's source.
    static let source = TrustedLua.source(named: "engine", in: .module)

    /// The chunk name errors inside the engine show; the sandbox's message handler skips its frames.
    static let chunkName = "=decide-engine"
}

extension AttributeValue {
    /// Pushes the value as Lua sees it.
    func push(to pusher: borrowing LuaState.Pusher) {
        switch self {
        case .null: pusher.null()
        case .integer(let number): pusher.integer(number)
        case .real(let number): pusher.number(number)
        case .text(let text): pusher.string(text)
        case .boolean(let flag): pusher.boolean(flag)
        }
    }
}

extension FlowDescription {
    /// A description from the engine's `describe()` value.
    init(key: String, value: LuaValue) {
        func list(_ field: String) -> [LuaValue] {
            if case .array(let items) = value[field] { return items }
            return []
        }
        self.init(
            key: key,
            name: value["name"].stringValue ?? key,
            description: value["description"].stringValue ?? "",
            offers: list("offers").map {
                .init(id: $0["id"].stringValue ?? "", name: $0["name"].stringValue ?? "", active: $0["active"] != false)
            },
            stages: list("stages").map {
                .init(name: $0["name"].stringValue ?? "", kind: $0["kind"].stringValue ?? "", days: $0["days"].doubleValue,
                      outcome: $0["outcome"].stringValue)
            },
            maxOffers: value["max_offers"].integerValue.map(Int.init),
            constraints: list("constraints").map { item in
                let selector: VolumeConstraint.Selector
                if let offer = item["offer"].stringValue {
                    selector = .offer(offer)
                } else if case .array(let ids) = item["offers"] {
                    selector = .offers(ids.compactMap(\.stringValue))
                } else if let channel = item["channel"].stringValue {
                    selector = .channel(channel)
                } else {
                    selector = .total
                }
                return VolumeConstraint(
                    name: item["name"].stringValue, selector: selector, max: Int(item["max"].integerValue ?? 0))
            }
        )
    }
}
