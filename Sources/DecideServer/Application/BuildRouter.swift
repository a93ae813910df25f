import DecideStore
import DecisionEngine
import Hummingbird
import Logging
import LuaRuntime

/// The web page at `/` (with its `/assets/`), the API's routes under `/api/v1`, plus `/healthz` and `/metrics`, behind the middleware that turns every error
/// into an `application/problem+json` response.
///
/// - Parameters:
///   - store: The store.
///   - library: The flows directory; the server shows its files relative to it (`cross_sell.lua`), never as server
///     paths.
///   - queue: Where created and resumed runs wait for their turn.
///   - workers: The Lua workers requests use.
///   - metrics: The figures `/metrics` serves.
///   - lease: How stale a process's heartbeat must be for its runs to count as interrupted, and how often a chunk may be abandoned.
///   - maximumLimits: The largest sandbox limits a run may ask for.
///   - logger: Where unexpected errors are logged.
public func buildRouter(
    store: any RunQueueStore, library: FlowLibrary, queue: RunQueue, workers: RequestWorkers, metrics: ServerMetrics,
    lease: LeasePolicy, maximumLimits: SandboxLimits = .serverMaximum, logger: Logger
) -> Router<APIRequestContext> {
    buildRoutes(
        store: store, library: library, queue: queue, workers: workers, metrics: metrics, lease: lease,
        maximumLimits: maximumLimits, logger: logger
    ).router
}

/// ``buildRouter(store:library:queue:workers:metrics:lease:maximumLimits:logger:)`` with the table of every
/// route it added (`/api/v1/runs/:id` → its methods), which tests compare with docs/openapi.yaml.
func buildRoutes(
    store: any RunQueueStore, library: FlowLibrary, queue: RunQueue, workers: RequestWorkers, metrics: ServerMetrics,
    lease: LeasePolicy, maximumLimits: SandboxLimits, logger: Logger
) -> RouteTable {
    let library = library.shownRelative
    let router = Router(context: APIRequestContext.self)
    router.add(middleware: ProblemMiddleware(logger: logger))
    let routes = RouteTable(router: router)
    PageController().addRoutes(to: routes)
    OperationsController(metrics: metrics).addRoutes(to: routes.group())
    let api = routes.group("api/v1")
    RunsController(
        store: store, library: library, queue: queue, workers: workers, lease: lease,
        maximumLimits: maximumLimits
    ).addRoutes(to: api.group("runs"))
    WorkersController(store: store, lease: lease).addRoutes(to: api.group("workers"))
    FlowsController(library: library, workers: workers).addRoutes(to: api.group("flows"))
    SegmentsController(store: store).addRoutes(to: api.group("segments"))
    let customers = api.group("customers")
    CustomersController(store: store, library: library, workers: workers).addRoutes(to: customers)
    let interactions = InteractionsController(store: store)
    interactions.addRoutes(to: api.group("interactions"))
    interactions.addCustomerRoutes(to: customers)
    routes.answerOtherMethods()
    return routes
}
