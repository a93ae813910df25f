import DecideStore
import Foundation
import DecisionEngine
import Hummingbird

/// `/api/v1/customers`: one customer, and what a flow decides for them now.
struct CustomersController {
    let store: any CustomerStore & InteractionStore
    let library: FlowLibrary
    let workers: RequestWorkers

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get(":id") { _, context in
            let batch = try await store.customer(id: try context.parameters.require("id"))
            return try Response.json(CustomerDocument(fieldNames: batch.fieldNames, customer: batch.customers[0]))
        }
        group.get(":id/decision", use: decision)
    }

    /// The decision trace of the flow `flow` (query) for the customer, with `seed` (query, default 0), as of `asOf`
    /// (query, default now), with the customer's stored history before then.
    @Sendable func decision(_ request: Request, context: APIRequestContext) async throws -> Response {
        guard let key = request.query("flow"), !key.isEmpty else {
            throw APIProblem.badRequest("give the flow: ?flow=KEY", field: "flow")
        }
        let seed = UInt64(try request.integerQuery("seed", default: 0, in: 0...Int.max))
        var decisionTime = Date()
        if let asOf = request.query("asOf") {
            guard let time = Interaction.time(asOf) else {
                throw APIProblem.invalid(
                    "asOf: \"\(asOf.prefix(60))\" is not a time: use ISO 8601 with a zone (2026-11-02T09:30:00Z) or a date (2026-11-02)",
                    field: "asOf")
            }
            decisionTime = time
        }
        let input = CustomerInput(batch: try await store.customer(id: try context.parameters.require("id")))
        let time = decisionTime
        let history = try await store.history(of: [input.customer.id], window: HistoryWindow(before: time))
        let flow = try library.source(key: key)
        let trace = try await workers.perform { worker in
            try worker.trace(
                input.customer, fieldNames: input.fieldNames, flow: flow, seed: seed, history: history, decisionTime: time)
        }
        return try .json(trace)
    }
}
