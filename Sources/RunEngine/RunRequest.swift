import DecideStore
import Foundation

/// What a person asks for when they start a run: a flow, an audience, and the options.
public struct RunRequest: Sendable, Hashable, Codable {
    /// The flow, by key or path.
    public var flow: String
    /// A saved segment's name (exactly one of `segment` and `filter`).
    public var segment: String?
    /// An ad-hoc filter expression (exactly one of `segment` and `filter`).
    public var filter: String?
    /// The run's name; default "FLOW × SEGMENT", e.g. "Cross-sell × High value".
    public var name: String?
    /// Worker threads (default: the number of cores).
    public var workers: Int?
    /// Customers per batch (default 1,000).
    public var batchSize: Int?
    /// The seed for `math.random` in the flow (default 0).
    public var seed: UInt64?
    /// How many failing customers are recorded before the run fails (default 0: the first error fails it).
    public var maxErrors: Int?
    /// The sandbox limits for the run's flow calls (each default when `nil`), within the planner's maxima.
    public var limits: RunLimits
    /// Customers per chunk, the unit worker processes claim (default ``RunOptions/defaultChunkSize``).
    public var chunkSize: Int?
    /// Volume constraints for this run, adding to the flow's or replacing the flow's with the same selector.
    public var constraints: [VolumeConstraint]?
    /// The run's decision time, to replay the past (default: when it is created).
    public var asOf: Date?

    /// Creates a request.
    public init(
        flow: String, segment: String? = nil, filter: String? = nil, name: String? = nil, workers: Int? = nil,
        batchSize: Int? = nil, seed: UInt64? = nil, maxErrors: Int? = nil, limits: RunLimits = RunLimits(),
        chunkSize: Int? = nil, constraints: [VolumeConstraint]? = nil, asOf: Date? = nil
    ) {
        self.asOf = asOf
        self.constraints = constraints
        self.limits = limits
        self.chunkSize = chunkSize
        self.flow = flow
        self.segment = segment
        self.filter = filter
        self.name = name
        self.workers = workers
        self.batchSize = batchSize
        self.seed = seed
        self.maxErrors = maxErrors
    }

    /// The audience the request selects.
    var selection: SegmentSelection? {
        if let segment, filter == nil { return .named(segment) }
        if let filter, segment == nil { return .expression(filter) }
        return nil
    }
}
