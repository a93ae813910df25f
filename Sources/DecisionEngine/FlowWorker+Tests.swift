import DecideStore
import Foundation
import LuaRuntime

extension FlowWorker {
    /// Runs the cases of a flow's test file (`flows/KEY.test.lua`, which returns a list of
    /// `{ name, customer, expect, expect_channels, expect_not, as_of }` tables) against the flow. A case with `as_of`
    /// (ISO 8601 with a zone, or a date) is decided as of that time; the others as of now.
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
        var decisionTime: Int64?
        if testCase["as_of"] != .nil {
            guard let text = testCase["as_of"].stringValue, let time = Interaction.time(text) else {
                return FlowTestResult(
                    name: name,
                    failures: ["\(testPath): as_of must be a time (ISO 8601 with a zone, or a date), got \(testCase["as_of"])"],
                    actual: [])
            }
            decisionTime = Int64(time.timeIntervalSince1970.rounded(.down))
        }
        let recommendations: [Recommendation]
        do {
            recommendations = try trace(
                input.customer, fieldNames: input.fieldNames, flow: flow, decisionTime: decisionTime
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

    private func strings(_ value: LuaValue) -> [String]? {
        if case .array(let items) = value { return items.compactMap(\.stringValue) }
        return nil
    }

    private func show(_ list: [String]) -> String {
        "{ " + list.map { "\"\($0)\"" }.joined(separator: ", ") + " }"
    }
}
