import DecideStore
import DecideText
import Foundation
import DecisionEngine
import LuaRuntime

extension ReplSession {
    /// The trace of the customer with the flow: computed once per version of either (the same call the batch
    /// engine's explain uses, so stepping matches a run exactly), then stepped through.
    func trace() throws -> (flow: LoadedFlow, trace: DecisionTrace) {
        let flow = try requireFlow()
        let customer = try requireCustomer()
        let key = "\(flow.source.contentHash)|\(customer.hashValue)|\(decisionTime.map { "\($0.timeIntervalSince1970)" } ?? "now")"
        if let cachedTrace, cachedTrace.key == key { return (flow, cachedTrace.trace) }
        let time = decisionTime ?? Date()
        let history = customerIsStored
            ? try storedHistory(of: [customer.customer.id], window: HistoryWindow(before: time)) : InteractionHistory()
        let trace = try worker.trace(
            customer.customer, fieldNames: customer.fieldNames, flow: flow.source, history: history, decisionTime: time)
        cachedTrace = (key, trace)
        position = min(position, trace.stages.count)
        return (flow, trace)
    }

    /// `:asof TIME`: decide as of that time (what `os.time()` returns to the flow), or `:asof now`; stepping starts
    /// over.
    func setDecisionTime(_ text: String) throws {
        if text == "now" {
            decisionTime = nil
            startOver()
            return say("deciding as of now")
        }
        guard let time = Interaction.time(text) else {
            throw ReplError(.usage, "\"\(text)\" is not a time: use ISO 8601 with a zone (2026-11-02T09:30:00Z), a date (2026-11-02) or now")
        }
        decisionTime = time
        startOver()
        say("deciding as of \(Interaction.text(of: time))")
    }

    /// `:step`: the next stage.
    func step() throws {
        let (flow, trace) = try self.trace()
        guard position < trace.stages.count else {
            say("all \(trace.stages.count) stages have run; :back steps back, :reset starts over")
            return say(recommendations(trace, flow: flow))
        }
        position += 1
        say(stepText(trace, flow: flow, withCandidates: true))
        if position == trace.stages.count { say("\n" + recommendations(trace, flow: flow)) }
    }

    /// `:back`: one stage back.
    func back() throws {
        let (flow, trace) = try self.trace()
        guard position > 0 else { return say("at the start: no stage has run yet") }
        position -= 1
        if position == 0 {
            say(style.bold("Before the first stage") + ": \(candidates(trace, flow: flow).count) candidates")
            say(candidateTable(trace, flow: flow))
        } else {
            say(stepText(trace, flow: flow, withCandidates: true))
        }
    }

    /// `:run`: every remaining stage, then the recommendations.
    func runRemaining() throws {
        let (flow, trace) = try self.trace()
        while position < trace.stages.count {
            position += 1
            say(stepText(trace, flow: flow, withCandidates: false))
        }
        say(recommendations(trace, flow: flow))
    }

    /// `:reset`: back to before the first stage.
    func resetStepping() throws {
        let (flow, trace) = try self.trace()
        position = 0
        say("back to the start: \(candidates(trace, flow: flow).count) candidates, \(trace.stages.count) stages to go")
    }

    /// `:trace`: the whole trace.
    func showTrace() throws {
        say(TraceText.render(try trace().trace))
    }

    /// `:why OFFER`: the stage and reason that dropped the offer, or its place among the recommendations.
    func why(_ offerId: String) throws {
        let (flow, trace) = try self.trace()
        guard let offer = flow.description.offers.first(where: { $0.id == offerId }) else {
            let ids = flow.description.offers.map(\.id)
            throw ReplError(.notFound, "\(flow.key) has no offer \(offerId)\(suggestion(offerId, among: ids)); :offers lists them")
        }
        let name = style.cyan(offer.id) + " (\(offer.name))"
        guard offer.active else { return say("\(name) is paused (active = false): it is never a candidate") }
        if let recommendation = trace.recommendations.first(where: { $0.offerId == offerId }) {
            return say("\(name) is " + style.green("recommended") + ": rank \(recommendation.rank), score "
                + "\(recommendation.score.map(TraceText.format) ?? "-"), channel \(recommendation.channel)")
        }
        for (index, step) in trace.stages.enumerated() {
            if let drop = step.dropped.first(where: { $0.offerId == offerId }) {
                return say("\(name) was " + style.red("dropped") + " at stage \(index + 1)/\(trace.stages.count), "
                    + "\(step.kind) \"\(step.name)\": \(drop.reason)")
            }
        }
        say("\(name) passed every stage but was cut by the flow's max_offers")
    }

    /// The candidates after the current position (every active offer before the first stage).
    func candidates(_ trace: DecisionTrace, flow: LoadedFlow) -> [DecisionTrace.Candidate] {
        guard position > 0 else {
            return flow.description.offers.filter(\.active).map { .init(offerId: $0.id, score: nil, channel: nil) }
        }
        return trace.stages[position - 1].candidates
    }

    /// The candidates as Lua values for the console: `{offer = {...}, score = ..., channel = ...}`.
    func candidateValues() -> LuaValue {
        guard let flow, customer != nil, let (_, trace) = try? trace() else { return .array([]) }
        let offers = Dictionary(zip(flow.description.offers.map(\.id), flow.catalogue), uniquingKeysWith: { first, _ in first })
        return .array(candidates(trace, flow: flow).map { candidate in
            var entry: [String: LuaValue] = ["offer": offers[candidate.offerId] ?? .table(["id": .string(candidate.offerId)])]
            if let score = candidate.score { entry["score"] = .number(score) }
            if let channel = candidate.channel { entry["channel"] = .string(channel) }
            return .table(entry)
        })
    }

    private func stepText(_ trace: DecisionTrace, flow: LoadedFlow, withCandidates: Bool) -> String {
        let step = trace.stages[position - 1]
        var lines = [style.bold("Stage \(position)/\(trace.stages.count): \(step.kind) \"\(step.name)\"")
            + ": \(step.received) in, \(step.candidates.count) out"]
        if withCandidates { lines.append(candidateTable(trace, flow: flow)) }
        if !step.dropped.isEmpty {
            let width = step.dropped.map(\.offerId.count).max() ?? 0
            lines += step.dropped.map {
                "  " + style.red("dropped") + " " + $0.offerId.paddedRight(to: width) + "  " + $0.reason
            }
        }
        return lines.joined(separator: "\n")
    }

    private func candidateTable(_ trace: DecisionTrace, flow: LoadedFlow) -> String {
        let list = candidates(trace, flow: flow)
        guard !list.isEmpty else { return "  (no candidates left)" }
        let names = Dictionary(flow.description.offers.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        return TextTable(headers: ["OFFER", "NAME", "SCORE", "CHANNEL"], rows: list.map {
            [$0.offerId, names[$0.offerId] ?? "", $0.score.map(TraceText.format) ?? "-", $0.channel ?? "-"]
        }).render()
    }

    /// The recommendations as a table, or "No recommendation."
    func recommendations(_ trace: DecisionTrace, flow: LoadedFlow) -> String {
        recommendationTable(trace.recommendations, flow: flow)
    }

    /// Recommendations as a table under a heading, or "No recommendation."
    func recommendationTable(_ recommendations: [Recommendation], flow: LoadedFlow) -> String {
        guard !recommendations.isEmpty else { return "No recommendation." }
        let names = Dictionary(flow.description.offers.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        return style.green("Recommendations") + "\n" + TextTable(headers: ["RANK", "OFFER", "NAME", "CHANNEL", "SCORE"], rows: recommendations.map {
            [String($0.rank), $0.offerId, names[$0.offerId] ?? "", $0.channel, $0.score.map(TraceText.format) ?? "-"]
        }).render()
    }
}
