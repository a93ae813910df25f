/// Where a run is in its life: created, executing, or ended one of three ways.
///
/// The legal moves are pending → running, cancelled or failed; running → completed, failed or cancelled; and, to
/// resume a run whose process stopped, failed (interrupted) → running, or → pending when it is queued to resume.
public enum RunStatus: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Created and not started, or interrupted and queued to resume.
    case pending
    /// Executing: batches are being committed.
    case running
    /// Every customer was evaluated.
    case completed
    /// Stopped by an error, or interrupted when the process running it stopped.
    case failed
    /// Stopped on request.
    case cancelled

    /// Whether the run has ended (completed, failed or cancelled).
    public var isFinished: Bool {
        self == .completed || self == .failed || self == .cancelled
    }

    /// Whether a run in this status may move to `next`.
    ///
    /// - Parameters:
    ///   - next: The status asked for.
    ///   - interrupted: Whether a failed run failed because its process stopped, which makes it resumable: started
    ///     again at once (`running`), or queued to be (`pending`).
    public func canMove(to next: RunStatus, interrupted: Bool) -> Bool {
        switch (self, next) {
        case (.pending, .running), (.pending, .cancelled), (.pending, .failed): true
        case (.running, .completed), (.running, .failed), (.running, .cancelled): true
        case (.failed, .running), (.failed, .pending): interrupted
        default: false
        }
    }

    /// The raw value, such as `running`.
    public var description: String { rawValue }
}
