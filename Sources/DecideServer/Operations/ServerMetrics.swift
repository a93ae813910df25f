import DecideStore
import Prometheus
import RunEngine

/// The figures `/metrics` serves in the Prometheus text format: runs by status (read from the store when scraped,
/// so runs of the CLI count too), customers processed, recommendations, flow errors, batch latency and active
/// runs (counted by this server).
public final class ServerMetrics: Sendable {
    private let store: SQLiteCustomerStore
    private let registry: PrometheusCollectorRegistry
    private let runsByStatus: [(RunStatus, Gauge)]
    private let activeRuns: Gauge
    private let customers: Counter
    private let recommendations: Counter
    private let flowErrors: Counter
    private let batchLatency: DurationHistogram

    /// Metrics over `store`.
    public init(store: SQLiteCustomerStore) {
        self.store = store
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        runsByStatus = RunStatus.allCases.map { status in
            (status, registry.makeGauge(name: "decide_runs", labels: [("status", status.rawValue)],
                                        help: "Runs in the store, by status."))
        }
        activeRuns = registry.makeGauge(name: "decide_active_runs", help: "Runs this server is executing.")
        customers = registry.makeCounter(name: "decide_customers_processed_total",
                                         help: "Customers that went through a flow in this server's runs.")
        recommendations = registry.makeCounter(name: "decide_recommendations_total",
                                               help: "Recommendations made by this server's runs (counted as each run ends).")
        flowErrors = registry.makeCounter(name: "decide_flow_errors_total",
                                          help: "Customers whose decision failed in this server's runs (counted as each run ends).")
        batchLatency = registry.makeDurationHistogram(
            name: "decide_batch_duration_seconds",
            buckets: [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                      .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10)],
            help: "Time from one committed batch to the next.")
    }

    /// Counts a run that starts executing.
    func runStarted() {
        activeRuns.increment()
    }

    /// Counts a run that stops executing.
    func runEnded() {
        activeRuns.decrement()
    }

    /// Counts one committed batch: its customers, recommendations, flow errors and latency.
    func record(batch report: RunProgressReport) {
        customers.increment(by: Int64(report.batchCustomers))
        recommendations.increment(by: Int64(report.batchRecommendations))
        flowErrors.increment(by: Int64(report.batchErrors))
        batchLatency.record(.nanoseconds(Int64(report.batchSeconds * 1e9)))
    }

    /// Every metric in the Prometheus text format, the run counts read from the store now.
    public func render() throws -> String {
        for (status, gauge) in runsByStatus {
            gauge.set(Double(try store.runs(status: status, limit: 0, offset: 0).total))
        }
        return registry.emitToString()
    }
}
