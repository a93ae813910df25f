import DecideStore
import DecisionEngine
import Hummingbird

/// `/api/v1/customers`: one customer, and what a flow decides for them now.
struct CustomersController {
    let store: any CustomerStore
    let library: FlowLibrary
    let workers: RequestWorkers

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get(":id") { _, context in
            let batch = try await store.customer(id: try context.parameters.require("id"))
            return try Response.json(CustomerDocument(fieldNames: batch.fieldNames, customer: batch.customers[0]))
        }
        group.get(":id/decision", use: decision)
    }

    /// The decision trace of the flow `flow` (query) for the customer, with `seed` (query, default 0).
    @Sendable func decision(_ request: Request, context: APIRequestContext) async throws -> Response {
        guard let key = request.query("flow"), !key.isEmpty else {
            throw APIProblem.badRequest("give the flow: ?flow=KEY", field: "flow")
        }
        let seed = UInt64(try request.integerQuery("seed", default: 0, in: 0...Int.max))
        let input = CustomerInput(batch: try await store.customer(id: try context.parameters.require("id")))
        let flow = try library.source(key: key)
        let trace = try await workers.perform { worker in
            try worker.trace(input.customer, fieldNames: input.fieldNames, flow: flow, seed: seed)
        }
        return try .json(trace)
    }
}
