import DecideStore
import DecideText
import DecisionEngine
import Foundation
import LuaRuntime
import RunEngine

extension ReplSession {
    /// `:segment NAME` / `:filter EXPR`: the audience `:next` walks through and `:launch` runs over.
    func selectAudience(segment: String? = nil, filter: String? = nil) throws {
        let store = try self.store
        let selection: SegmentSelection = segment.map { .named($0) } ?? .expression(filter ?? "")
        let cursor = try Blocking.wait { try await store.customerBatches(selection, batchSize: 1000) }
        audience = AudienceWalk(segment: segment, filter: filter, cursor: cursor)
        say("\(audience!.label): \(cursor.count) customers")
    }

    /// `:next [N]`: decides the next customer (who becomes the current one), or the next N with a running summary.
    func next(_ argument: String) throws {
        guard var walk = audience else { throw ReplError(.missing, "no audience; use :segment NAME or :filter EXPR") }
        let flow = try requireFlow()
        let count: Int
        if argument.isEmpty {
            count = 1
        } else {
            guard let number = Int(argument), number > 0 else {
                throw ReplError(.usage, "write :next or :next N with N a positive number, not \(argument)")
            }
            count = number
        }
        defer { audience = walk }
        if count == 1 {
            let batch = try walk.take(1)
            guard !batch.customers.isEmpty else { return say("the audience is done: \(walk.tally.summary.totalCustomers) customers decided") }
            let started = Date()
            let decisions = try decide(batch, flow: flow)
            try walk.tally.add(decisions, description: flow.description, milliseconds: Self.milliseconds(since: started))
            use(CustomerInput(batch: batch), stored: true)
            say("customer \(style.cyan(batch.customers[0].id)) (\(walk.tally.summary.totalCustomers) of \(walk.cursor.count))")
            if let error = decisions.errors.first { return output.problem(style.red("error: ") + "\(error)") }
            return say(recommendationTable(try self.trace().trace.recommendations, flow: flow))
        }
        var remaining = count
        while remaining > 0, !interrupt.isRaised {
            let batch = try walk.take(min(remaining, 100))
            if batch.customers.isEmpty { break }
            remaining -= batch.customers.count
            let started = Date()
            let decisions = try decide(batch, flow: flow)
            try walk.tally.add(decisions, description: flow.description, milliseconds: Self.milliseconds(since: started))
            say(runningSummary(walk))
        }
        if interrupt.isRaised { notice("interrupted") }
    }

    /// Decides a batch of stored customers as of the session's decision time, with their stored history when the
    /// flow reads it.
    private func decide(_ batch: CustomerBatch, flow: LoadedFlow) throws -> BatchDecisions {
        let time = decisionTime ?? Date()
        let history = flow.description.readsHistory
            ? try storedHistory(of: batch.customers.map(\.id), window: HistoryWindow(before: time)) : nil
        return try worker.decide(batch, history: history, flow: flow.source, decisionTime: time)
    }

    private func runningSummary(_ walk: AudienceWalk) -> String {
        let summary = walk.tally.summary
        let average = summary.totalCustomers == 0 ? 0 : Double(summary.totalRecommendations) / Double(summary.totalCustomers)
        return "\(summary.totalCustomers) of \(walk.cursor.count) decided: \(summary.customersWithRecommendations) with recommendations, "
            + String(format: "%.2f offers each", average)
            + (summary.errorsRecorded > 0 ? ", \(summary.errorsRecorded) errors" : "")
    }

    /// Whole milliseconds since `start`, rounded up (a decision of a few microseconds still took time).
    private static func milliseconds(since start: Date) -> Int {
        Int((Date().timeIntervalSince(start) * 1000).rounded(.up))
    }

    /// `:summary`: the summary and breakdowns of the customers decided so far, as a run prints them.
    func summary() throws {
        guard let walk = audience else { throw ReplError(.missing, "no audience; use :segment NAME or :filter EXPR") }
        let flow = try requireFlow()
        let audience = walk.cursor.count
        let document = RunDocument(
            unstored: "repl", name: "\(flow.description.name) × \(walk.label)", flow: flow.key,
            flowVersion: flow.source.contentHash, segment: walk.segment, filter: walk.filter,
            status: walk.tally.summary.totalCustomers == audience ? "completed" : "stepping", audience: audience,
            tally: walk.tally, createdAt: Date(), finishedAt: nil, error: nil)
        say(RunText.render(document))
    }

    /// `:launch`: creates and executes the real run of this flow over the audience, then selects it. Ctrl-C
    /// cancels the run; what was committed stays.
    func launch() throws {
        guard let walk = audience else { throw ReplError(.missing, "no audience; use :segment NAME or :filter EXPR") }
        let flow = try requireFlow()
        let store = try self.store
        let request = RunRequest(flow: flow.source.path, segment: walk.segment, filter: walk.filter)
        let library = self.library
        let record = try Blocking.wait { try await RunPlanner(library: library, store: store).create(request) }
        say("run \(record.id): \(record.name)")
        let display = ProgressDisplay(quiet: !configuration.interactive)
        let interrupt = self.interrupt
        let ended = try Blocking.wait {
            try await RunExecutor(store: store).execute(runId: record.id) { report in
                display.show(report)
                if interrupt.isRaised { Task { try? await store.requestCancel(runId: record.id) } }
            }
        }
        display.finish()
        run = ended
        say(RunText.render(try Blocking.wait { try await RunDocument(ended, store: store) }))
    }
}
