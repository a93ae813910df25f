import DecideStore
import DecisionEngine
import Foundation
import LuaRuntime

/// Validates a run request and creates the run, `pending`, with a snapshot of its flow: nothing runs and nothing
/// is stored when the flow, the segment, the filter or an option is invalid.
public struct RunPlanner: Sendable {
    /// The flows directory.
    public let library: FlowLibrary
    /// The store the run goes into.
    public let store: any RunQueueStore
    /// The largest sandbox limits a run may ask for (`decide serve` sets its own).
    public let maximumLimits: SandboxLimits

    /// A planner over a flows directory and a store.
    public init(library: FlowLibrary, store: any RunQueueStore, maximumLimits: SandboxLimits = .maximum) {
        self.library = library
        self.store = store
        self.maximumLimits = maximumLimits
    }

    /// The validated plan: the flow's snapshot and the run to create.
    ///
    /// - Throws: ``RunError`` for an invalid request, `FlowError` for a flow that does not load or fails its
    ///   check, `FilterError` for an invalid filter, `StoreError` for an unknown segment.
    public func plan(_ request: RunRequest) async throws -> (new: NewRun, flow: FlowDescription) {
        guard let selection = request.selection else {
            throw RunError(.invalidRequest, "give exactly one of a segment and a filter", field: "segment")
        }
        let workers = request.workers ?? ProcessInfo.processInfo.activeProcessorCount
        let batchSize = request.batchSize ?? 1000
        let maxErrors = request.maxErrors ?? 0
        guard (1...64).contains(workers) else { throw RunError(.invalidRequest, "workers must be 1 to 64, got \(workers)", field: "workers") }
        guard (1...100_000).contains(batchSize) else {
            throw RunError(.invalidRequest, "batch size must be 1 to 100000, got \(batchSize)", field: "batchSize")
        }
        let chunkSize = request.chunkSize ?? RunOptions.defaultChunkSize
        guard (1...RunOptions.maximumChunkSize).contains(chunkSize) else {
            throw RunError(
                .invalidRequest, "chunk size must be 1 to \(RunOptions.maximumChunkSize), got \(chunkSize)", field: "chunkSize")
        }
        guard maxErrors >= 0 else {
            throw RunError(.invalidRequest, "max errors must be 0 or more, got \(maxErrors)", field: "maxErrors")
        }
        try check(request.limits)
        if let name = request.name {
            guard (1...InputLimits.nameCharacters).contains(name.count) else {
                throw RunError(
                    .invalidRequest, "the run's name must be 1 to \(InputLimits.nameCharacters) characters, got \(name.count)",
                    field: "name")
            }
        }
        let (snapshot, description) = try Self.load(request.flow, from: library)
        let added = request.constraints ?? []
        do {
            try VolumeConstraint.check(added, offerIds: Set(description.offers.map(\.id))) { index in
                "\(added[index].selector.optionText)=\(added[index].max)"
            }
        } catch {
            throw RunError(.invalidRequest, error.description, field: "constraints")
        }
        let audience: String
        switch selection {
        case .named(let name):
            audience = try await store.segment(named: name).segment.name
        default:
            _ = try await store.count(selection)
            audience = request.filter!
        }
        let name = request.name ?? "\(description.name) × \(Self.displayName(audience, isSegment: request.segment != nil))"
        let encoded = String(decoding: try JSONEncoder().encode(snapshot), as: UTF8.self)
        let new = NewRun(
            name: name, flowKey: snapshot.key, flowVersion: snapshot.contentHash, flowSnapshot: encoded,
            segment: request.segment, filter: request.filter,
            options: RunOptions(
                workers: workers, batchSize: batchSize, seed: request.seed, maxErrors: maxErrors, limits: request.limits,
                chunkSize: chunkSize, constraints: VolumeConstraint.merged(flow: description.constraints, run: added)),
            decidedAt: request.asOf
        )
        return (new, description)
    }

    /// Checks that each limit asked for is positive and within ``maximumLimits``.
    private func check(_ limits: RunLimits) throws {
        let maximumMiB = maximumLimits.memoryBytes >> 20
        if let mib = limits.memoryLimitMiB, !(1...maximumMiB).contains(mib) {
            throw RunError(
                .invalidRequest, "the memory limit must be 1 to \(maximumMiB) MiB, got \(mib)", field: "memoryLimitMiB")
        }
        if let budget = limits.instructionBudget, !(1...maximumLimits.instructionBudget).contains(budget) {
            throw RunError(
                .invalidRequest, "the instruction budget must be 1 to \(maximumLimits.instructionBudget), got \(budget)",
                field: "instructionBudget")
        }
        if let seconds = limits.deadlineSeconds, !(seconds > 0 && seconds <= maximumLimits.deadlineSeconds) {
            throw RunError(
                .invalidRequest, "the deadline must be above 0 and at most \(maximumLimits.deadlineSeconds) s, got \(seconds)",
                field: "deadlineSeconds")
        }
    }

    /// Validates the request and creates the run, `pending`.
    public func create(_ request: RunRequest) async throws -> RunRecord {
        try await store.createRun(try await plan(request).new)
    }

    /// The flow's snapshot and description, from a Lua state made and dropped on the calling thread (so no state
    /// outlives a suspension that could resume on another thread).
    private static func load(_ flow: String, from library: FlowLibrary) throws -> (FlowSource, FlowDescription) {
        let worker = try FlowWorker()
        let snapshot = try worker.snapshot(of: try library.source(of: flow))
        return (snapshot, try worker.describe(snapshot))
    }

    /// "high_value" → "High value"; a filter stays as typed.
    static func displayName(_ audience: String, isSegment: Bool) -> String {
        guard isSegment else { return audience }
        let words = audience.replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "-", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }
}
