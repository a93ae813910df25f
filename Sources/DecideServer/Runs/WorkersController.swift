import DecideStore
import Hummingbird

/// `GET /api/v1/workers`: the live worker processes, as `decide workers --json` prints them.
struct WorkersController {
    let store: any RunQueueStore
    /// How recent a heartbeat must be for its process to count as live.
    let lease: LeasePolicy

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get { _, _ in try Response.json(["workers": try await store.workers(lease: lease)]) }
    }
}
