import DecideStore
import Prometheus
import RunEngine

/// The figures `/metrics` serves in the Prometheus text format: runs by status (read from the store when scraped,
/// so runs of the CLI count too), customers processed, recommendations, flow errors, batch latency and active
/// runs (counted by this server).
public final class ServerMetrics: Sendable {
    private let store: any RunQueueStore
    private let registry: PrometheusCollectorRegistry
    private let runsByStatus: [(RunStatus, Gauge)]
    private let activeRuns: Gauge
    private let customers: Counter
    private let recommendations: Counter
    private let flowErrors: Counter
    private let batchLatency: DurationHistogram

    /// Metrics over `store`.
    public init(store: any RunQueueStore) {
        self.store = store
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        func name(_ metric: String, unit: String = "", help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "decide", metricName: metric, unitName: unit, helpText: help)
        }
        runsByStatus = RunStatus.allCases.map { status in
            (status, registry.makeGauge(descriptor: name("runs", help: "Runs in the store, by status."),
                                        labels: [("status", status.rawValue)]))
        }
        activeRuns = registry.makeGauge(descriptor: name("active_runs", help: "Runs this server is executing."))
        customers = registry.makeCounter(descriptor: name(
            "customers_processed", unit: "total", help: "Customers that went through a flow in this server's runs."))
        recommendations = registry.makeCounter(descriptor: name(
            "recommendations", unit: "total", help: "Recommendations made by this server's runs."))
        flowErrors = registry.makeCounter(descriptor: name(
            "flow_errors", unit: "total", help: "Customers whose decision failed in this server's runs."))
        batchLatency = registry.makeDurationHistogram(
            descriptor: name("batch_duration", unit: "seconds", help: "Time from one committed batch to the next."),
            buckets: [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                      .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10)])
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
    public func render() async throws -> String {
        for (status, gauge) in runsByStatus {
            gauge.set(Double(try await store.runs(status: status, limit: 0, offset: 0).total))
        }
        return registry.emitToString()
    }
}
