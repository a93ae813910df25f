import DecideStore
import DecideText
import Foundation
import RunEngine

/// A run executed in the foreground of a terminal (`decide run`, `decide runs resume`).
///
/// Ctrl-C (SIGINT) or SIGTERM does not kill the process mid-batch: the run stops after the batch being committed and
/// is left interrupted, at once resumable with `decide runs resume ID`, instead of waiting for its lease to expire;
/// or, when worker processes share the run, this process gives its chunks back and they go on with it.
enum ForegroundRun {
    /// Executes `runId` and returns it as it ended; says how to resume it when a signal stopped it.
    static func execute(
        _ runId: String, store: any RunQueueStore, onProgress: @escaping @Sendable (RunProgressReport) -> Void
    ) async throws -> RunRecord {
        let executor = RunExecutor(store: store, lease: try RunsCommand.lease())
        let execution = Task { try await executor.execute(runId: runId, onProgress: onProgress) }
        let stopped = StopSignal()
        let signals = SignalWatch {
            stopped.raise()
            execution.cancel()
        }
        defer { signals.cancel() }
        let ended = try await execution.value
        var standardError = StandardError()
        if ended.interrupted {
            print("decide: stopped after \(ended.progress.processed) customers; continue with: decide runs resume \(runId)",
                  to: &standardError)
        } else if stopped.isRaised && (ended.status == .running || ended.status == .pending) {
            print("decide: stopped here with \(ended.progress.processed) customers of the run decided; worker processes go on with it: "
                + "follow it with decide runs wait \(runId)", to: &standardError)
        }
        return ended
    }
}
