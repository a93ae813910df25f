/// A running run's vital signs, cheap to read after every batch: its status, whether cancellation was asked for,
/// and its progress and errors over all its workers.
public struct RunPulse: Sendable, Hashable {
    /// Where the run is in its life.
    public var status: RunStatus
    /// Whether someone asked for the run to be cancelled.
    public var cancelRequested: Bool
    /// Customers committed so far, by every worker.
    public var processed: Int
    /// Customers in the audience, once the run started.
    public var total: Int?
    /// Failing customers recorded so far.
    public var errorsRecorded: Int

    /// Creates a pulse.
    public init(status: RunStatus, cancelRequested: Bool, processed: Int, total: Int?, errorsRecorded: Int) {
        self.status = status
        self.cancelRequested = cancelRequested
        self.processed = processed
        self.total = total
        self.errorsRecorded = errorsRecorded
    }
}
