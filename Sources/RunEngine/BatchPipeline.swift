import DecideStore
import DecisionEngine
import Foundation
import LuaRuntime

extension RunLimits {
    /// The sandbox limits these stand for: the defaults where they say nothing.
    public var sandbox: SandboxLimits {
        var limits = SandboxLimits.standard
        if let memoryLimitMiB { limits.memoryBytes = memoryLimitMiB << 20 }
        if let instructionBudget { limits.instructionBudget = instructionBudget }
        if let deadlineSeconds { limits.deadlineSeconds = deadlineSeconds }
        return limits
    }

    /// The limits in force, every one stated.
    init(inForce limits: SandboxLimits) {
        self.init(
            memoryLimitMiB: limits.memoryBytes >> 20, instructionBudget: limits.instructionBudget,
            deadlineSeconds: limits.deadlineSeconds)
    }
}

/// Streams an audience through the worker pool: reads batches, keeps a few in flight on the workers, and hands
/// their results back in audience order, one batch at a time, ready to commit.
struct BatchPipeline: Sendable {
    /// The flow snapshot every worker compiles.
    let flow: FlowSource
    /// What the flow declares (offer ids and names, stages).
    let description: FlowDescription
    /// The run's options.
    let options: RunOptions
    /// The run's id (for the commits).
    let runId: String
    /// The run's decision time: what `os.time()` returns to the flow in every worker, and what history windows
    /// count back from.
    let decisionTime: Date
    /// Where each batch's interaction history is read, when the flow reads history
    /// (``FlowDescription/readsHistory``).
    let history: HistorySource?
    /// The decision threads (`options.workers`), each with its own sandboxed Lua state, kept for every audience or
    /// chunk the pipeline runs, so that a chunk pays for no new threads and no new compile of the flow; they stop
    /// once the pipeline is let go of.
    let pool: WorkerPool<FlowWorker>

    /// Where a run reads its batches' interaction history: one query per batch, for the run's window.
    struct HistorySource: Sendable {
        let store: any InteractionStore
        var window: HistoryWindow
    }

    /// A pipeline; `history` is used only when the flow reads history, narrowed to what it reads.
    init(
        flow: FlowSource, description: FlowDescription, options: RunOptions, runId: String, decisionTime: Date,
        history: HistorySource
    ) {
        self.flow = flow
        self.description = description
        self.options = options
        self.runId = runId
        self.decisionTime = decisionTime
        self.history = description.historyScope.map { scope in
            var narrowed = history
            narrowed.window.scope = scope
            return narrowed
        }
        let limits = options.limits.sandbox
        pool = WorkerPool(workers: options.workers) { _ in try FlowWorker(limits: limits) }
    }

    /// What to do after a batch was handled.
    enum Next {
        /// Go on with the next batch.
        case proceed
        /// Stop: no more batches are read; batches in flight are dropped.
        case stop
    }

    /// One batch's results, in commit form, with the errors of the customers that failed.
    struct Outcome: Sendable {
        /// What the store commits.
        var commit: RunBatchCommit
        /// The customers that failed, with where and why.
        let errors: [DecisionError]
    }

    /// Runs the audience behind `cursor`, skipping customers up to `after` (a resumed run), keeping only the
    /// customers `keep` selects (a sample), and calls `handle` with each batch's outcome in order.
    ///
    /// Each commit's `executionTimeMs` is the wall time since the previous batch was handled, so the commits add up
    /// to the run's execution time.
    func run(
        cursor: any CustomerBatchCursor, after: String?, keep: @escaping @Sendable (Int) -> Bool = { _ in true },
        handle: (Outcome) async throws -> Next
    ) async throws {
        var cursor = cursor
        let pool = pool
        let offerNames = Dictionary(description.offers.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let offerIds = description.offers.map(\.id)
        let inFlightLimit = options.workers * 2
        var position = 0
        let clock = ContinuousClock()
        var lastHandled = clock.now
        try await withThrowingTaskGroup(of: (Int, BatchDecisions).self) { group in
            var nextToRead = 0
            var nextToHandle = 0
            var ready: [Int: BatchDecisions] = [:]
            var exhausted = false
            var stopped = false
            func dispatch() async throws {
                while !exhausted && !stopped && nextToRead - nextToHandle < inFlightLimit {
                    guard let read = try await cursor.next() else {
                        exhausted = true
                        return
                    }
                    let customers = read.customers.filter { customer in
                        defer { position += 1 }
                        return (after.map { $0.utf8.lexicographicallyPrecedes(customer.id.utf8) } ?? true) && keep(position)
                    }
                    if customers.isEmpty { continue }
                    let batch = CustomerBatch(fieldNames: read.fieldNames, customers: customers)
                    var fetched: InteractionHistory?
                    if let source = self.history {
                        fetched = try await source.store.history(of: customers.map(\.id), window: source.window)
                    }
                    let history = fetched
                    let sequence = nextToRead
                    nextToRead += 1
                    let flow = flow, seed = options.seed ?? 0, decisionTime = decisionTime
                    let candidates = !options.constraints.isEmpty
                    group.addTask {
                        (sequence, try await pool.run {
                            try $0.decide(
                                batch, history: history, flow: flow, seed: seed, offers: offerIds,
                                decisionTime: decisionTime, candidates: candidates)
                        })
                    }
                }
            }
            try await dispatch()
            while nextToHandle < nextToRead {
                guard let (sequence, decisions) = try await group.next() else { break }
                ready[sequence] = decisions
                while let decisions = ready.removeValue(forKey: nextToHandle) {
                    nextToHandle += 1
                    let now = clock.now
                    let elapsed = now - lastHandled
                    lastHandled = now
                    let milliseconds = Int(elapsed.components.seconds * 1000)
                        + Int(elapsed.components.attoseconds / 1_000_000_000_000_000)
                    var outcome = try Self.outcome(decisions, description: description, offerNames: offerNames,
                                                   runId: runId, milliseconds: milliseconds)
                    outcome.commit.candidates = !options.constraints.isEmpty
                    if try await handle(outcome) == .stop {
                        stopped = true
                        group.cancelAll()
                        return
                    }
                }
                try await dispatch()
            }
        }
    }

    /// A batch's decisions in the store's commit form.
    static func outcome(
        _ decisions: BatchDecisions, description: FlowDescription, offerNames: [String: String], runId: String,
        milliseconds: Int
    ) throws -> Outcome {
        var counts: [Int] = []
        counts.reserveCapacity(decisions.count)
        var start = 0
        for end in decisions.ends {
            counts.append(end - start)
            start = end
        }
        var errors = [String?](repeating: nil, count: decisions.count)
        for (index, error) in zip(decisions.errorIndexes, decisions.errors) { errors[index] = error.description }
        let commit = try RunBatchCommit(
            runId: runId, customerIds: decisions.customerIds, recommendationCounts: counts,
            offerIds: decisions.offerIndexes.map { description.offers[Int($0)].id },
            channels: decisions.channelIndexes.map { decisions.channelNames[Int($0)] },
            scores: decisions.scores.map { $0.isNaN ? nil : $0 }, errors: errors, offerNames: offerNames,
            stageCounts: decisions.funnel.enumerated().map { index, tally in
                StageCount(index: index, name: description.stages[index].name, kind: description.stages[index].kind,
                           received: tally.received, dropped: tally.dropped)
            },
            executionTimeMs: milliseconds
        )
        return Outcome(commit: commit, errors: decisions.errors)
    }
}
