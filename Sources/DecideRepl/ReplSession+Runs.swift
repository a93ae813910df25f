import DecideStore
import DecideText
import DecisionEngine
import Foundation
import RunEngine

extension ReplSession {
    /// `:runs`: the ten newest runs.
    func listRuns() throws {
        let store = try self.store
        let page = try Blocking.wait { try await store.runs(status: nil, limit: 10, offset: 0) }
        guard !page.runs.isEmpty else { return say("no runs yet; :launch starts one") }
        say(TextTable(headers: ["", "ID", "FLOW", "AUDIENCE", "STATUS", "CUSTOMERS"], rows: page.runs.map {
            [$0.id == run?.id ? "▸" : "", $0.id, $0.flowKey, $0.segment ?? $0.filter ?? "",
             $0.status.rawValue + ($0.partial ? " (partial)" : ""), String($0.progress.processed)]
        }).render())
    }

    /// `:use RUN`: selects a run for `:result` and `:diff`.
    func useRun(_ id: String) throws {
        let store = try self.store
        let record = try Blocking.wait { try await store.run(id: id) }
        run = record
        say("run \(record.id): \(record.name), \(record.status.rawValue), \(record.progress.processed) customers")
    }

    /// `:result [CUSTOMER]`: what the selected run stored for the customer.
    func result(_ argument: String) throws {
        let record = try requireRun()
        let customerId = argument.isEmpty ? try requireCustomer().customer.id : argument
        let stored = try storedResult(record, customerId: customerId)
        say("run \(record.id), customer \(style.cyan(customerId)):")
        if let error = stored.error { return say(style.red("error: ") + error) }
        let recommendations = stored.recommendations.map {
            Recommendation(rank: $0.rank, offerId: $0.offerId, channel: $0.channel, score: $0.score)
        }
        if let flow { return say(recommendationTable(recommendations, flow: flow)) }
        say(recommendations.isEmpty ? "No recommendation." : TextTable(headers: ["RANK", "OFFER", "CHANNEL", "SCORE"], rows: recommendations.map {
            [String($0.rank), $0.offerId, $0.channel, $0.score.map(TraceText.format) ?? "-"]
        }).render())
    }

    /// `:diff`: the customer decided again with the current flow (and the run's seed), against what the run stored.
    func diff() throws {
        let record = try requireRun()
        let flow = try requireFlow()
        let customer = try requireCustomer()
        let stored = try storedResult(record, customerId: customer.customer.id)
        let history = customerIsStored
            ? try storedHistory(of: [customer.customer.id], window: record.historyWindow) : InteractionHistory()
        let now = try worker.trace(customer.customer, fieldNames: customer.fieldNames, flow: flow.source,
                                   seed: record.options.seed ?? 0, history: history,
                                   decisionTime: record.decidedAt).recommendations
        let before = stored.recommendations.map { "\($0.offerId) \($0.channel) \($0.score.map(TraceText.format) ?? "-")" }
        let after = now.map { "\($0.offerId) \($0.channel) \($0.score.map(TraceText.format) ?? "-")" }
        let version = flow.source.contentHash == record.flowVersion ? "the same flow version" : "flow version \(flow.source.contentHash) (the run used \(record.flowVersion))"
        guard before != after || stored.error != nil else {
            return say("no change for \(customer.customer.id): \(version) decides as run \(record.id) stored")
        }
        say("changed for \(style.cyan(customer.customer.id)), \(version):")
        var rows: [[String]] = []
        for rank in 0..<max(before.count, after.count) {
            let old = rank < before.count ? before[rank] : "-"
            let new = rank < after.count ? after[rank] : "-"
            rows.append([String(rank + 1), old, new, old == new ? "" : "changed"])
        }
        if let error = stored.error { rows.append(["", "error: \(error)", "", ""]) }
        say(TextTable(headers: ["RANK", "RUN \(record.id)", "NOW", ""], rows: rows).render())
    }

    private func requireRun() throws -> RunRecord {
        guard let run else { throw ReplError(.missing, "no run selected; :runs lists them, :use RUN selects one") }
        return run
    }

    private func storedResult(_ record: RunRecord, customerId: String) throws -> CustomerResult {
        let store = try self.store
        let page = try Blocking.wait {
            try await store.results(runId: record.id, customerId: customerId, offerId: nil, channel: nil, limit: 1, offset: 0)
        }
        guard let result = page.customers.first else {
            throw ReplError(.notFound, "run \(record.id) has no result for customer \(customerId)")
        }
        return result
    }
}
