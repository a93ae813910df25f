import Foundation

/// A stored run: what it evaluates, how, where it is in its life, and its totals so far.
public struct RunRecord: Sendable, Hashable, Codable, Identifiable {
    /// The run's id, such as `r-0190f3a2b4c1d2e3f4a5`: `r-`, the creation time in milliseconds (12 hex digits) and
    /// 8 random hex digits.
    public var id: String
    /// A name for people to recognise the run by.
    public var name: String
    /// The flow's key.
    public var flowKey: String
    /// A hash of the flow's content.
    public var flowVersion: String
    /// The flow as it was when the run was created, as the host encoded it.
    public var flowSnapshot: String
    /// The saved segment evaluated, or `nil` for an ad-hoc filter.
    public var segment: String?
    /// The ad-hoc filter evaluated, or `nil` for a saved segment.
    public var filter: String?
    /// How the run executes.
    public var options: RunOptions
    /// Where the run is in its life.
    public var status: RunStatus
    /// When the run was created.
    public var createdAt: Date
    /// When the run first started running.
    public var startedAt: Date?
    /// When the run ended, if it has.
    public var finishedAt: Date?
    /// Why the run failed, when it has.
    public var error: RunFailure?
    /// Whether the run failed because the process running it stopped, which makes it resumable.
    public var interrupted: Bool
    /// Whether the run ended (failed or cancelled) with fewer customers committed than its audience holds.
    public var partial: Bool
    /// Whether someone asked for the run to be cancelled; the executing process checks it between batches.
    public var cancelRequested: Bool
    /// How far the run has got.
    public var progress: RunProgress
    /// When the executing process last showed it was alive; a running run whose heartbeat is older than the
    /// lease was interrupted.
    public var heartbeatAt: Date?
    /// The totals committed so far.
    public var summary: RunSummary
    /// Where a run with volume constraints is (`nil` for a run without any).
    public var phase: RunPhase?
    /// What the allocation did with each of `options.constraints`, once it has run.
    public var constraintTallies: [ConstraintTally]?
    /// The run's decision time: what its flow sees as now, and the end of every history window (`--as-of`, or its
    /// creation time).
    public var decidedAt: Date
    /// The interaction history the run's decisions see: before its decision time, stored by its creation.
    public var historyWindow: HistoryWindow { HistoryWindow(before: decidedAt, storedThrough: createdAt) }
    /// When its recommendations were released into the interaction history, if they were.
    public var releasedAt: Date?

    /// Creates a run record.
    public init(
        id: String, name: String, flowKey: String, flowVersion: String, flowSnapshot: String, segment: String?,
        filter: String?, options: RunOptions, status: RunStatus, createdAt: Date, startedAt: Date?, finishedAt: Date?,
        error: RunFailure?, interrupted: Bool, partial: Bool, cancelRequested: Bool, progress: RunProgress,
        heartbeatAt: Date?, summary: RunSummary, phase: RunPhase? = nil, constraintTallies: [ConstraintTally]? = nil,
        decidedAt: Date? = nil, releasedAt: Date? = nil
    ) {
        self.decidedAt = decidedAt ?? createdAt
        self.releasedAt = releasedAt
        self.phase = phase
        self.constraintTallies = constraintTallies
        self.id = id
        self.name = name
        self.flowKey = flowKey
        self.flowVersion = flowVersion
        self.flowSnapshot = flowSnapshot
        self.segment = segment
        self.filter = filter
        self.options = options
        self.status = status
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.error = error
        self.interrupted = interrupted
        self.partial = partial
        self.cancelRequested = cancelRequested
        self.progress = progress
        self.heartbeatAt = heartbeatAt
        self.summary = summary
    }
}
