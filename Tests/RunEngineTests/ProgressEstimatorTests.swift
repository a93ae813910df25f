import Testing

@testable import RunEngine

/// The progress rate and time left, on instants given by the test (no wall clock involved).
@Suite("Progress estimates")
struct ProgressEstimatorTests {
    let start = ContinuousClock.now

    @Test("batches that two workers finish together count once in the time they took")
    func batchesTogether() {
        var estimator = ProgressEstimator(at: start)
        var report = RunProgressReport(processed: 0, total: 0, rate: 0)
        for second in 1...10 {
            let finished = start + .seconds(second)
            _ = estimator.advance(by: 1000, processed: 2000 * second - 1000, total: 100_000, at: finished)
            report = estimator.advance(by: 1000, processed: 2000 * second, total: 100_000, at: finished + .milliseconds(1))
        }
        #expect(abs(report.rate - 2000) < 50)
        #expect(abs((report.etaSeconds ?? 0) - 40) < 2)
    }

    @Test("the rate follows the last five seconds, not the run's average")
    func recentWindow() {
        var estimator = ProgressEstimator(at: start)
        var processed = 0
        var report = RunProgressReport(processed: 0, total: 0, rate: 0)
        for second in 1...20 {
            processed += second <= 10 ? 1000 : 4000
            report = estimator.advance(by: 0, processed: processed, total: 1_000_000, at: start + .seconds(second))
        }
        #expect(abs(report.rate - 4000) < 1)
    }

    @Test("a resumed execution's rate counts only its own running time")
    func resumed() {
        var estimator = ProgressEstimator(processed: 50_000, at: start)
        let report = estimator.advance(by: 3000, processed: 53_000, total: 60_000, at: start + .seconds(2))
        #expect(abs(report.rate - 1500) < 1)
        #expect(abs((report.etaSeconds ?? 0) - 7000.0 / 1500) < 0.01)
    }
}
