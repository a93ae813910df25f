import DecisionEngine
import Hummingbird

/// `GET /api/v1/flows`: every flow with its name and the size of its catalogue and stages.
struct FlowsController {
    let library: FlowLibrary
    let workers: RequestWorkers

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get { _, _ in
            let library = library
            return try Response.json(["flows": try await workers.perform { worker in worker.listing(of: library) }])
        }
    }
}
