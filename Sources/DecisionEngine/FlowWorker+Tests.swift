import DecideStore
import Foundation
import LuaRuntime

extension FlowWorker {
    /// Runs the cases of a flow's test file (`flows/KEY.test.lua`, which returns a list of
    /// `{ name, customer, history, expect, expect_channels, expect_not, as_of }` tables) against the flow. A case with
    /// `as_of` (ISO 8601 with a zone, or a date) is decided as of that time; the others as of now. `history` is the
    /// customer's interaction history: `{ { offer = ..., channel = ..., outcome = ..., at = ... }, ... }`.
    ///
    /// - Parameters:
    ///   - testSource: The test file's source.
    ///   - testPath: The test file's path, for messages.
    /// - Returns: One result per case, in file order.
    /// - Throws: ``FlowError`` when the flow does not load or the test file is malformed.
    public func runTests(of flow: FlowSource, testSource: String, testPath: String) throws(FlowError) -> [FlowTestResult] {
        _ = try state(of: flow)
        let cases: LuaValue
        do {
            // The test file is a script too: it runs in a sandboxed state of its own.
            let scratch = try LuaState(limits: limits, interrupt: interrupt)
            let script = try scratch.load(source: testSource, chunkName: testPath)
            cases = try scratch.value(of: script)
        } catch {
            throw FlowError(.badTests, flow: flow.key, problems: [error.description])
        }
        guard case .array(let list) = cases else {
            throw FlowError(.badTests, flow: flow.key, problems: ["\(testPath) must return a list of test cases"])
        }
        var results: [FlowTestResult] = []
        for (number, testCase) in list.enumerated() {
            let name = testCase["name"].stringValue ?? "case #\(number + 1)"
            results.append(run(testCase, named: name, flow: flow, testPath: testPath))
        }
        return results
    }

    private func run(_ testCase: LuaValue, named name: String, flow: FlowSource, testPath: String) -> FlowTestResult {
        let input: CustomerInput
        do {
            input = try CustomerInput(lua: testCase["customer"])
        } catch {
            return FlowTestResult(name: name, failures: ["\(testPath): \(error)"], actual: [])
        }
        var decisionTime: Date?
        if testCase["as_of"] != .nil {
            guard let text = testCase["as_of"].stringValue, let time = Interaction.time(text) else {
                return FlowTestResult(
                    name: name,
                    failures: ["\(testPath): as_of must be a time (ISO 8601 with a zone, or a date), got \(testCase["as_of"])"],
                    actual: [])
            }
            decisionTime = time
        }
        let history: InteractionHistory
        do {
            history = try Self.history(testCase["history"], customerId: input.customer.id)
        } catch {
            return FlowTestResult(name: name, failures: ["\(testPath): \(error.message)"], actual: [])
        }
        let recommendations: [Recommendation]
        do {
            recommendations = try trace(
                input.customer, fieldNames: input.fieldNames, flow: flow, history: history, decisionTime: decisionTime
            ).recommendations
        } catch {
            return FlowTestResult(name: name, failures: ["the flow failed: \(error)"], actual: [])
        }
        let offers = recommendations.map(\.offerId)
        let channels = recommendations.map(\.channel)
        var failures: [String] = []
        if let expected = strings(testCase["expect"]), expected != offers {
            failures.append("expected offers \(show(expected)), got \(show(offers))")
        }
        if let expected = strings(testCase["expect_channels"]), expected != channels {
            failures.append("expected channels \(show(expected)), got \(show(channels))")
        }
        for forbidden in strings(testCase["expect_not"]) ?? [] where offers.contains(forbidden) {
            failures.append("expected no '\(forbidden)', but it was recommended at rank \(offers.firstIndex(of: forbidden)! + 1)")
        }
        return FlowTestResult(name: name, failures: failures, actual: offers)
    }

    /// A test case's `history`: a list of `{ offer, channel, outcome, at }` tables (`nil`: no history).
    static func history(_ value: LuaValue, customerId: String) throws(CustomerInputError) -> InteractionHistory {
        let entries: [LuaValue]
        switch value {
        case .nil: return InteractionHistory()
        case .array(let list): entries = list
        case .table(let table) where table.isEmpty: return InteractionHistory()
        default: throw CustomerInputError(message: "history must be a list of { offer, channel, outcome, at } tables")
        }
        var interactions: [Interaction] = []
        for (number, entry) in entries.enumerated() {
            guard case .table(let fields) = entry else {
                throw CustomerInputError(message: "history[\(number + 1)] must be a table { offer, channel, outcome, at }")
            }
            func text(_ field: String, required: Bool = true) throws(CustomerInputError) -> String? {
                guard let value = fields[field], value != .nil else {
                    if required { throw CustomerInputError(message: "history[\(number + 1)] needs `\(field)`") }
                    return nil
                }
                guard let text = value.stringValue else {
                    throw CustomerInputError(message: "history[\(number + 1)].\(field) must be text, got \(value)")
                }
                if let problem = Interaction.problem(field: field, value: text) {
                    throw CustomerInputError(message: "history[\(number + 1)].\(field) \"\(text)\": \(problem)")
                }
                return text
            }
            if let unknown = fields.keys.sorted().first(where: { !["offer", "channel", "outcome", "at"].contains($0) }) {
                throw CustomerInputError(
                    message: "history[\(number + 1)] has an unknown field `\(unknown)` (use offer, channel, outcome, at)")
            }
            let atText = try text("at")!
            guard let at = Interaction.time(atText) else {
                throw CustomerInputError(
                    message: "history[\(number + 1)].at \"\(atText)\" is not a time (ISO 8601 with a zone, or a date)")
            }
            interactions.append(Interaction(
                customerId: customerId, offerId: try text("offer")!, channel: try text("channel", required: false),
                outcome: try text("outcome")!, at: at))
        }
        return InteractionHistory(interactions)
    }

    private func strings(_ value: LuaValue) -> [String]? {
        if case .array(let items) = value { return items.compactMap(\.stringValue) }
        return nil
    }

    private func show(_ list: [String]) -> String {
        "{ " + list.map { "\"\($0)\"" }.joined(separator: ", ") + " }"
    }
}
