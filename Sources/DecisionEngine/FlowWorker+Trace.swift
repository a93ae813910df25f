import DecideStore
import Foundation
import LuaRuntime

extension FlowWorker {
    /// Decides one customer with every stage recorded: what it received, kept, dropped (and why), scored and
    /// routed, and the time it took. The batch path never builds any of this.
    ///
    /// - Parameters:
    ///   - customer: The customer, with its batch's field names.
    ///   - seed: The run's seed.
    ///   - history: The customer's interaction history (entries at or after the decision time are left out); none
    ///     by default.
    ///   - decisionTime: What `os.time()` returns to the flow and history windows count back from; now by default.
    /// - Throws: ``FlowError`` when the flow does not load; ``DecisionError`` when it fails for this customer.
    public func trace(
        _ customer: Customer, fieldNames: [String], flow source: FlowSource, seed: UInt64 = 0,
        history: InteractionHistory = InteractionHistory(), decisionTime: Date? = nil
    ) throws -> DecisionTrace {
        let flow = try state(of: source, seed: seed)
        flow.setDecisionTime(decisionTime ?? Date())
        flow.setCustomer(customer, fieldNames: fieldNames, history: history)
        let traced: (value: LuaValue, printed: [String])
        do {
            traced = try flow.trace(seed: Self.seed(seed, customer.id))
        } catch {
            throw decisionError(error, flow: flow, customerId: customer.id)
        }
        _ = flow.takeFunnel()
        return DecisionTrace(
            flow: source.key, customerId: customer.id, stages: Self.steps(traced.value["stages"]),
            recommendations: Self.recommendations(traced.value["recommendations"]), printed: traced.printed
        )
    }

    private static func list(_ value: LuaValue) -> [LuaValue] {
        if case .array(let items) = value { return items }
        return []
    }

    private static func steps(_ value: LuaValue) -> [DecisionTrace.Step] {
        list(value).map { step in
            DecisionTrace.Step(
                name: step["name"].stringValue ?? "",
                kind: step["kind"].stringValue ?? "",
                received: Int(step["input"].doubleValue ?? 0),
                candidates: list(step["candidates"]).map {
                    .init(offerId: $0["offer"].stringValue ?? "", score: $0["score"].doubleValue,
                          channel: $0["channel"].stringValue)
                },
                dropped: list(step["dropped"]).map {
                    .init(offerId: $0["offer"].stringValue ?? "", reason: $0["reason"].stringValue ?? "")
                },
                milliseconds: (step["seconds"].doubleValue ?? 0) * 1000
            )
        }
    }

    private static func recommendations(_ value: LuaValue) -> [Recommendation] {
        list(value).map {
            Recommendation(
                rank: Int($0["rank"].doubleValue ?? 0), offerId: $0["offer"].stringValue ?? "",
                channel: $0["channel"].stringValue ?? "", score: $0["score"].doubleValue
            )
        }
    }
}
