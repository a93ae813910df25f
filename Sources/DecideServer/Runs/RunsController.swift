import DecideStore
import DecisionEngine
import Foundation
import Hummingbird
import LuaRuntime
import RunEngine

/// `/api/v1/runs`: create (or simulate), list, show, read results, explain a result, cancel and resume runs.
struct RunsController {
    let store: any RunQueueStore
    let library: FlowLibrary
    let queue: RunQueue
    let workers: RequestWorkers
    let lease: LeasePolicy
    let maximumLimits: SandboxLimits

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.post(use: create)
        group.get(use: list)
        group.get(":id", use: show)
        group.delete(":id", use: delete)
        group.get(":id/results", use: results)
        group.get(":id/results/:customerId/decision", use: decision)
        group.post(":id/cancel", use: cancel)
        group.post(":id/resume", use: resume)
        group.post(":id/release", use: release)
    }

    /// `202` with the pending run and its `Location`, queued; with `dryRun`, `200` with the simulated document
    /// (nothing stored: a dry run executes within the request).
    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        var request = request
        let body = try await request.decodeJSON(CreateRunBody.self, context: context)
        try await body.filter?.validate(in: store)
        let runRequest = try body.runRequest()
        let planner = RunPlanner(library: library, store: store, maximumLimits: maximumLimits)
        if body.dryRun == true {
            let plan = try await planner.plan(runRequest)
            return try .json(try await DryRun(store: store).simulate(plan.new, sample: body.sample))
        }
        let record = try await planner.create(runRequest)
        queue.enqueue(record.id)
        return try .json(try await RunDocument(record, store: store), status: .accepted,
                         headers: [.location: "/api/v1/runs/\(record.id)"])
    }

    /// `204` once the finished run and its results are deleted; `409` for a pending or running run, `404` for an
    /// unknown one.
    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> Response {
        try await store.deleteRun(id: try context.parameters.require("id"))
        return Response(status: .noContent)
    }

    /// `{"runs": [...], "total": N}`, newest first, optionally of one status.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let (limit, offset) = try request.paging()
        var status: RunStatus?
        if let text = request.query("status") {
            guard let parsed = RunStatus(rawValue: text) else {
                throw APIProblem.badRequest(
                    "unknown status \"\(text)\"; use pending, running, completed, failed or cancelled", field: "status")
            }
            status = parsed
        }
        let page = try await store.runs(status: status, limit: limit, offset: offset)
        var documents: [RunDocument] = []
        for run in page.runs { documents.append(try await RunDocument(run, store: store)) }
        return try .json(RunList(runs: documents, total: page.total))
    }

    /// The run document, as `decide runs show ID --json` prints it.
    @Sendable func show(_ request: Request, context: APIRequestContext) async throws -> Response {
        try .json(try await RunDocument(try await store.run(id: try context.parameters.require("id")), store: store))
    }

    /// `{"results": [...], "total": N}`: per-customer results in id order, filtered by customer, offer or channel.
    @Sendable func results(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let (limit, offset) = try request.paging()
        let run = try await store.run(id: id)
        let customerId = try request.query("customerId", maximumLength: InputLimits.textValueCharacters)
        var page = try await store.results(
            runId: id, customerId: customerId,
            offerId: try request.query("offerId", maximumLength: InputLimits.textValueCharacters),
            channel: try request.query("channel", maximumLength: InputLimits.textValueCharacters),
            failedOnly: try request.booleanQuery("failed"), limit: limit, offset: offset)
        if customerId != nil { page.customers = try await store.attachingDropped(page.customers, run: run) }
        return try .json(ResultPage(results: page.customers.map(ResultDocument.init), total: page.total))
    }

    /// The decision trace of one of the run's customers, with the run's own flow snapshot, seed, decision time and
    /// the history the run could see (the customer's attributes as they are now).
    @Sendable func decision(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let customerId = try context.parameters.require("customerId")
        let run = try await store.run(id: id)
        guard try await store.results(runId: id, customerId: customerId, offerId: nil, channel: nil, limit: 1, offset: 0).total > 0
        else {
            throw APIProblem(.notFound, "not-found", title: "Not found",
                             detail: "run \(id) has no result for customer \"\(customerId)\"", field: "customerId")
        }
        let flow = try JSONDecoder().decode(FlowSource.self, from: Data(run.flowSnapshot.utf8))
        let input = CustomerInput(batch: try await store.customer(id: customerId))
        let seed = run.options.seed ?? 0
        let history = try await store.history(of: [customerId], window: run.historyWindow)
        let trace = try await workers.perform { worker in
            try worker.trace(
                input.customer, fieldNames: input.fieldNames, flow: flow, seed: seed, history: history,
                decisionTime: run.decidedAt)
        }
        return try .json(trace)
    }

    /// `200`: a completed run released into the interaction history (its document, with `releasedAt`); `409` for a
    /// run not completed or released already.
    @Sendable func release(_ request: Request, context: APIRequestContext) async throws -> Response {
        let record = try await store.releaseRun(id: try context.parameters.require("id"))
        return try .json(try await RunDocument(record, store: store))
    }

    /// `202`: a pending run is cancelled at once, a running one stops after its current batch; `409` once finished.
    @Sendable func cancel(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        try await RunExecutor(store: store, lease: lease).cancel(runId: id)
        return try .json(try await RunDocument(try await store.run(id: id), store: store), status: .accepted)
    }

    /// `202`: an interrupted run is queued (`pending` again) to continue from its last committed batch; `409`
    /// otherwise.
    @Sendable func resume(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        try await store.markInterrupted(olderThan: lease.seconds)
        let record = try await store.run(id: id)
        guard record.status == .failed && record.interrupted else {
            throw APIProblem.conflict("run \(id) is \(record.status)\(record.status == .failed ? " (not interrupted)" : ""); only an interrupted run resumes")
        }
        let queued = try await store.transition(runId: id, to: .pending, message: "resume requested", error: nil)
        guard queue.enqueue(id) else { throw APIProblem.conflict("run \(id) is already queued to resume") }
        return try .json(try await RunDocument(queued, store: store), status: .accepted,
                         headers: [.location: "/api/v1/runs/\(id)"])
    }
}
