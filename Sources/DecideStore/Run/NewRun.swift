import Foundation

/// What a run is created from: the flow as it is now, the audience and the options.
///
/// Exactly one of `segment` and `filter` is set.
public struct NewRun: Sendable, Hashable, Codable {
    /// A name for people to recognise the run by.
    public var name: String
    /// The flow's key.
    public var flowKey: String
    /// A hash of the flow's content, telling versions apart.
    public var flowVersion: String
    /// The flow as it was when the run was created, encoded by the host (JSON); the store keeps it as it is.
    public var flowSnapshot: String
    /// The saved segment the run evaluates, or `nil` for an ad-hoc filter.
    public var segment: String?
    /// The ad-hoc filter the run evaluates, or `nil` for a saved segment.
    public var filter: String?
    /// How the run executes.
    public var options: RunOptions
    /// The run's decision time when it replays the past (`--as-of`); `nil`: its creation time.
    public var decidedAt: Date?

    /// Creates a run description.
    public init(
        name: String, flowKey: String, flowVersion: String, flowSnapshot: String, segment: String? = nil,
        filter: String? = nil, options: RunOptions, decidedAt: Date? = nil
    ) {
        self.decidedAt = decidedAt
        self.name = name
        self.flowKey = flowKey
        self.flowVersion = flowVersion
        self.flowSnapshot = flowSnapshot
        self.segment = segment
        self.filter = filter
        self.options = options
    }
}
