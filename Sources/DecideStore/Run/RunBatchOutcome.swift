/// What committing a batch did.
public enum RunBatchOutcome: Sendable, Hashable {
    /// The batch was written and added to the run's totals.
    case committed
    /// The batch's customers were committed before (a resumed run sent it again): nothing was written.
    case alreadyCommitted
}
