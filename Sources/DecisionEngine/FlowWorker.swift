import DecideStore
import Foundation
import LuaRuntime

/// What one worker thread owns: the flows it has compiled, each in a sandboxed Lua state of its own (cached by
/// content and seed, so a changed flow is compiled again and an unchanged one never is).
///
/// A worker is not `Sendable`: ``WorkerPool`` builds one per thread and hands it only to that thread's jobs.
/// When a limit leaves a flow's state in doubt, the worker replaces it (in ``state(of:seed:expecting:)``, the one
/// place that does) before that flow decides another customer.
public final class FlowWorker: WorkerContext {
    /// The sandbox limits every state of this worker gets.
    public let limits: SandboxLimits
    /// The handle that stops this worker's calls when raised, if any.
    public let interrupt: LuaInterrupt?
    /// The decision time of batches decided without one: when the worker was made.
    private let startedAt = Date()
    private var states: [String: FlowState] = [:]
    /// The keys of ``states``, least recently used first.
    private var recent: [String] = []
    /// The last source looked up and its content hash: a run asks for the same flow every batch.
    private var lastHashed: (source: FlowSource, hash: String)?

    /// How many flows' states a worker keeps, and how many bytes they may hold together before the least recently
    /// used are closed.
    static let keptStates = 8
    static let keptBytes = 64 << 20

    /// A worker.
    ///
    /// - Parameters:
    ///   - limits: The limits every call runs under.
    ///   - interrupt: A handle whose raising stops the worker's calls (Ctrl-C in the REPL); every state the worker
    ///     makes watches it.
    public init(limits: SandboxLimits = .standard, interrupt: LuaInterrupt? = nil) throws(LuaError) {
        self.limits = limits
        self.interrupt = interrupt
    }

    /// The worker replaces a damaged state itself, so the pool never needs to.
    public var needsReplacement: Bool { false }

    // MARK: - States

    /// The flow's state, compiled with `seed` (a run's seed; 0 outside runs): the cached one unless it is damaged
    /// or the flow changed. With `expecting`, the compiled catalogue must list exactly those offer ids in that
    /// order (the planner's), or the flow fails.
    ///
    /// - Throws: ``FlowError``: the flow does not load, has problems, or compiles to another catalogue.
    func state(of source: FlowSource, seed: UInt64 = 0, expecting offers: [String]? = nil) throws(FlowError)
        -> FlowState
    {
        let hash = contentHash(of: source)
        let key = "\(hash):\(seed)"
        if source.modules != nil, let cached = states[key], !cached.isDamaged {
            touch(key)
            return cached
        }
        states[key] = nil
        let flow = try FlowState(
            source, loadSeed: Self.loadSeed(hash: hash, runSeed: seed), limits: limits, interrupt: interrupt)
        if let offers, flow.description.offers.map(\.id) != offers {
            throw FlowError(
                .inconsistent, flow: source.key,
                problems: [
                    "\(source.path): the flow's offers came out differently in this worker than when the run was "
                        + "planned (make the catalogue independent of iteration order, time and randomness)"
                ])
        }
        states[key] = flow
        touch(key)
        evict(keeping: key)
        return flow
    }

    private func touch(_ key: String) {
        recent.removeAll { $0 == key }
        recent.append(key)
    }

    private func evict(keeping key: String) {
        while recent.count > 1,
            recent.count > Self.keptStates || states.values.reduce(0, { $0 + $1.memoryUsed }) > Self.keptBytes
        {
            let oldest = recent.removeFirst()
            if oldest == key {
                recent.append(oldest)
                continue
            }
            states[oldest] = nil
        }
    }

    /// The source's content hash, computed once for a source asked for again (equal strings sharing their storage
    /// compare in constant time).
    private func contentHash(of source: FlowSource) -> String {
        if let last = lastHashed, last.source == source { return last.hash }
        let hash = source.contentHash
        lastHashed = (source, hash)
        return hash
    }

    /// The seed of `math.random` while a flow loads: its content hash mixed with the run's seed.
    static func loadSeed(hash: String, runSeed: UInt64) -> Int64 {
        seed(runSeed, hash)
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

    // MARK: - Loading

    /// The flow as a complete snapshot: its source plus the source of every module it required.
    ///
    /// - Throws: ``FlowError`` when the flow does not load or has problems.
    public func snapshot(of source: FlowSource) throws(FlowError) -> FlowSource {
        try state(of: source).source
    }

    /// What the flow declares (name, offers, stages).
    ///
    /// - Throws: ``FlowError`` when the flow does not load or has problems.
    public func describe(_ source: FlowSource) throws(FlowError) -> FlowDescription {
        try state(of: source).description
    }

    /// The flow's offers as data, in catalogue order: each offer's own table (`id`, `name`, and whatever fields
    /// the catalogue gives it) as it was when the flow was compiled, with functions left out.
    ///
    /// - Throws: ``FlowError`` when the flow does not load or has problems.
    public func catalogue(of source: FlowSource) throws(FlowError) -> [LuaValue] {
        do {
            return try state(of: source).catalogue()
        } catch let error as FlowError {
            throw error
        } catch {
            throw FlowError(loading: source.key, error as? LuaError ?? LuaError(.runtime, "\(error)"))
        }
    }

    // MARK: - Deciding

    /// Decides every customer of `batch` with the flow: the batch path, with no trace.
    ///
    /// A customer whose decision fails gets no recommendations and an entry in ``BatchDecisions/errors``, and the
    /// batch goes on (on a fresh state if a limit was hit).
    /// - Parameters:
    ///   - seed: The run's seed; with the customer id it seeds `math.random` for each customer.
    ///   - offers: The offer ids the run was planned with, in order: the flow must compile to exactly these.
    ///   - history: The batch's interaction history, read for the run's decision time (`nil` when the flow does not
    ///     read history: see ``FlowDescription/readsHistory``).
    ///   - decisionTime: The run's decision time: what `os.time()` returns to the flow, and what history windows
    ///     count back from.
    ///   - candidates: Each customer's every candidate after the last stage, uncut by `max_offers` and each with a
    ///     score (a run with volume constraints), instead of the flow's recommendations.
    /// - Throws: ``FlowError`` when the flow itself does not load or compiles to another catalogue.
    public func decide(
        _ batch: CustomerBatch, history: InteractionHistory? = nil, flow source: FlowSource, seed: UInt64 = 0,
        offers: [String]? = nil, decisionTime: Date? = nil, candidates: Bool = false
    ) throws(FlowError) -> BatchDecisions {
        var decisions = BatchDecisions()
        decisions.customerIds.reserveCapacity(batch.customers.count)
        decisions.ends.reserveCapacity(batch.customers.count)
        var channels = BatchChannels()
        var start = 0
        while start < batch.customers.count {
            let flow = try state(of: source, seed: seed, expecting: offers)
            flow.setDecisionTime(decisionTime ?? startedAt)
            start = flow.decide(
                batch, history: history, from: start, seed: seed, candidates: candidates, channels: &channels,
                into: &decisions
            ) { error, id in
                decisionError(error, flow: flow, customerId: id)
            }
            decisions.funnel.add(flow.takeFunnel())
        }
        decisions.channelNames = channels.names
        return decisions
    }

    func decisionError(_ error: LuaError, flow: FlowState, customerId: String) -> DecisionError {
        let location = flow.location()
        return DecisionError(
            flow: flow.source.key, customerId: customerId, stage: location.stage, offerId: location.offer, error: error)
    }
}

extension [StageTally] {
    /// Adds another part of the batch's funnel, stage by stage.
    mutating func add(_ other: [StageTally]) {
        if isEmpty {
            self = other
            return
        }
        for (offset, tally) in other.enumerated() where offset < count {
            self[offset].received += tally.received
            self[offset].passed += tally.passed
        }
    }
}
