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
            guard !batch.customers.isEmpty else { return say("the audience is done: \(walk.decided) customers decided") }
            let started = Date()
            let decisions = try worker.decide(batch, flow: flow.source)
            walk.add(decisions, offerIds: flow.description.offers.map(\.id), seconds: Date().timeIntervalSince(started))
            use(CustomerInput(batch: batch))
            say("customer \(style.cyan(batch.customers[0].id)) (\(walk.decided) of \(walk.cursor.count))")
            if let error = decisions.errors.first { return output.problem(style.red("error: ") + "\(error)") }
            return say(recommendationTable(try self.trace().trace.recommendations, flow: flow))
        }
        var remaining = count
        while remaining > 0, !interrupt.isRaised {
            let batch = try walk.take(min(remaining, 100))
            if batch.customers.isEmpty { break }
            remaining -= batch.customers.count
            let started = Date()
            let decisions = try worker.decide(batch, flow: flow.source)
            walk.add(decisions, offerIds: flow.description.offers.map(\.id), seconds: Date().timeIntervalSince(started))
            say(runningSummary(walk))
        }
        if interrupt.isRaised { notice("interrupted") }
    }

    private func runningSummary(_ walk: AudienceWalk) -> String {
        let average = walk.decided == 0 ? 0 : Double(walk.recommendations) / Double(walk.decided)
        return "\(walk.decided) of \(walk.cursor.count) decided: \(walk.withRecommendations) with recommendations, "
            + String(format: "%.2f offers each", average) + (walk.errors > 0 ? ", \(walk.errors) errors" : "")
    }

    /// `:summary`: the summary and breakdowns of the customers decided so far, as a run prints them.
    func summary() throws {
        guard let walk = audience else { throw ReplError(.missing, "no audience; use :segment NAME or :filter EXPR") }
        let flow = try requireFlow()
        let names = Dictionary(flow.description.offers.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let total = Double(max(1, walk.recommendations))
        let offers: [RunDocument.OfferShare] = walk.offers.map {
            .init(offerId: $0.key, name: names[$0.key] ?? $0.key, count: $0.value, percent: 100 * Double($0.value) / total)
        }
        let channels: [RunDocument.ChannelShare] = walk.channels.map {
            .init(channel: $0.key, count: $0.value, percent: 100 * Double($0.value) / total)
        }
        let average = walk.decided == 0 ? 0 : Double(walk.recommendations) / Double(walk.decided)
        let summary = RunDocument.Summary(
            totalCustomers: walk.decided, customersWithRecommendations: walk.withRecommendations,
            totalRecommendations: walk.recommendations, averageOffersPerCustomer: average,
            executionTimeMs: Int((walk.seconds * 1000).rounded(.up)))
        let audienceSize = walk.cursor.count
        let percent = audienceSize == 0 ? 100 : 100 * Double(walk.decided) / Double(audienceSize)
        let now = Date()
        let document = RunDocument(
            id: "repl", name: "\(flow.description.name) × \(walk.label)", flow: flow.key,
            flowVersion: flow.source.contentHash, segment: walk.segment, filter: walk.filter,
            status: walk.decided == audienceSize ? "completed" : "stepping", partial: walk.decided < audienceSize,
            progress: .init(processed: walk.decided, total: audienceSize, percent: percent),
            createdAt: now, startedAt: now, finishedAt: nil, error: nil, errorsRecorded: walk.errors,
            summary: summary,
            offerBreakdown: offers.sorted { ($0.count, $1.offerId) > ($1.count, $0.offerId) },
            channelBreakdown: channels.sorted { ($0.count, $1.channel) > ($1.count, $0.channel) }
        )
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
