import Foundation

/// Where a run is: what the terminal's progress bar and the stored progress show.
public struct RunProgressReport: Sendable, Hashable {
    /// Customers processed so far (a resumed run counts what it did before).
    public var processed: Int
    /// Customers in the audience.
    public var total: Int
    /// Customers per second over the last few seconds of wall-clock time, across all workers.
    public var rate: Double
    /// Seconds left at the recent rate (nil before the first batch).
    public var etaSeconds: Double?
    /// Customers in the batch just handled.
    public var batchCustomers: Int = 0
    /// Seconds since the previous batch was handled: the batch's latency as the run sees it.
    public var batchSeconds: Double = 0
    /// Recommendations made in the batch just handled.
    public var batchRecommendations: Int = 0
    /// Customers of the batch just handled whose flow failed.
    public var batchErrors: Int = 0

    /// Percent done, 0 to 100.
    public var percent: Double { total == 0 ? 100 : 100 * Double(processed) / Double(total) }
}

/// Estimates throughput and time remaining from the customers done over a recent window of wall-clock time
/// (the last 5 seconds, or since the execution started): batches that several workers finish together count once
/// in the time they took, so the rate is the run's, not an average of per-batch rates. An estimator starts with the
/// execution (a resumed run's starts at the resume), so time the run was down never counts.
struct ProgressEstimator {
    /// How far back the rate looks.
    static let window: Duration = .seconds(5)

    private let clock = ContinuousClock()
    private var last: ContinuousClock.Instant
    /// (when, customers done by then) since the start of the window, oldest first.
    private var samples: [(at: ContinuousClock.Instant, processed: Int)] = []

    /// An estimator for an execution that starts at `start` (now by default) with `processed` customers already done.
    init(processed: Int = 0, at start: ContinuousClock.Instant = ContinuousClock.now) {
        last = start
        samples = [(last, processed)]
    }

    /// Records that `count` more customers are done, `processed` in all, and returns the report.
    mutating func advance(by count: Int, processed: Int, total: Int) -> RunProgressReport {
        advance(by: count, processed: processed, total: total, at: clock.now)
    }

    /// ``advance(by:processed:total:)`` at the instant `now`.
    mutating func advance(by count: Int, processed: Int, total: Int, at now: ContinuousClock.Instant) -> RunProgressReport {
        let batchSeconds = (now - last) / .seconds(1)
        last = now
        samples.append((now, processed))
        while samples.count > 2, now - samples[1].at >= Self.window { samples.removeFirst() }
        let first = samples[0]
        let seconds = (now - first.at) / .seconds(1)
        let rate = seconds > 0 ? Double(processed - first.processed) / seconds : 0
        let remaining = max(0, total - processed)
        return RunProgressReport(processed: processed, total: total, rate: rate,
                                 etaSeconds: rate > 0 ? Double(remaining) / rate : nil,
                                 batchCustomers: count, batchSeconds: batchSeconds)
    }
}
