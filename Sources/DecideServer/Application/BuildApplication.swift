import DecideStore
import DecisionEngine
import Hummingbird
import Logging

/// The Decide server: the REST API over `store` and the flows of `library`, with the run queue and the request
/// workers as services of the application, so one `ServiceGroup` runs and stops them all.
///
/// ```swift
/// let app = buildApplication(configuration: .init(port: 8080), store: store, library: library, logger: logger)
/// try await app.runService()   // stops gracefully on SIGTERM and SIGINT
/// ```
///
/// - Parameters:
///   - configuration: Where to listen and how many runs execute at once.
///   - store: The store runs, customers and segments live in (the CLI's file can be shared).
///   - library: The flows directory.
///   - logger: Where the server and its runs log (`run.id` metadata on run events).
public func buildApplication(
    configuration: ServerConfiguration, store: any RunQueueStore, library: FlowLibrary, logger: Logger
) -> some ApplicationProtocol {
    let metrics = ServerMetrics(store: store)
    let queue = RunQueue(
        store: store, concurrentRuns: configuration.concurrentRuns, lease: configuration.lease, executes: configuration.executesRuns,
        metrics: metrics, logger: logger
    )
    let workers = RequestWorkers(workers: configuration.requestWorkers)
    let router = buildRouter(
        store: store, library: library, queue: queue, workers: workers, metrics: metrics,
        lease: configuration.lease, maximumLimits: configuration.maximumLimits, logger: logger
    )
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "decide"),
        logger: logger
    )
    app.addServices(queue, workers)
    // The store's own background work (PostgreSQL's connection pool) runs and stops with the server.
    for service in store.services { app.addServices(service) }
    return app
}
