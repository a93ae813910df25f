import Foundation

/// Where a run is: what the terminal's progress bar and the stored progress show.
public struct RunProgressReport: Sendable, Hashable {
    /// Customers processed so far (a resumed run counts what it did before).
    public var processed: Int
    /// Customers in the audience.
    public var total: Int
    /// Customers per second, smoothed over the recent batches.
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

/// Estimates throughput and time remaining from the recent rate: an exponentially weighted average over batches,
/// so the estimate is stable and does not jump with one slow batch.
struct ProgressEstimator {
    private var rate: Double?
    private var last: ContinuousClock.Instant
    private let clock = ContinuousClock()

    init() {
        last = clock.now
    }

    /// Records that `count` more customers are done and returns the report.
    mutating func advance(by count: Int, processed: Int, total: Int) -> RunProgressReport {
        let now = clock.now
        let elapsed = now - last
        last = now
        let seconds = max(1e-6, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        let sample = Double(count) / seconds
        rate = rate.map { 0.8 * $0 + 0.2 * sample } ?? sample
        let remaining = max(0, total - processed)
        return RunProgressReport(processed: processed, total: total, rate: rate ?? 0,
                                 etaSeconds: (rate ?? 0) > 0 ? Double(remaining) / rate! : nil,
                                 batchCustomers: count, batchSeconds: seconds)
    }
}
