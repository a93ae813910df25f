import DecideStore
import DecisionEngine
import Foundation
import LuaRuntime

/// Test helpers: inline flows, customers and the fixtures directory.
enum Support {
    /// The directory holding this suite's fixture modules (`catalog.lua`).
    static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures").path

    /// The repository's `flows/` directory, with the example flows.
    static let exampleFlows = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("flows").path

    /// An inline flow whose `require` resolves in the fixtures directory.
    static func flow(_ source: String, key: String = "test_flow") -> FlowSource {
        FlowSource(key: key, path: fixtures + "/\(key).lua", source: source)
    }

    /// A flow over the fixture catalogue with the given stages (Lua source of the `stages` list's items).
    static func catalogFlow(_ stages: String, options: String = "") -> FlowSource {
        flow("""
            local catalog = require("catalog")
            return flow {
              name = "Test", offers = catalog.offers, \(options)
              stages = {
                \(stages)
              },
            }
            """)
    }

    /// A batch of customers given as JSON objects.
    static func batch(_ customers: [String]) throws -> CustomerBatch {
        let inputs = try customers.map { try CustomerInput(json: $0) }
        let names = Array(Set(inputs.flatMap(\.fieldNames))).sorted { $0 == "id" || ($1 != "id" && $0 < $1) }
        return CustomerBatch(fieldNames: names, customers: inputs.map { input in
            Customer(id: input.customer.id, values: names.map { name in
                input.fieldNames.firstIndex(of: name).map { input.customer.values[$0] } ?? .null
            })
        })
    }

    /// Decides one customer and returns its recommendations, or throws its decision error.
    static func decide(_ flow: FlowSource, _ customer: String, worker: FlowWorker? = nil) throws -> [Recommendation] {
        let worker = try worker ?? FlowWorker()
        let description = try worker.describe(flow)
        let decisions = try worker.decide(try batch([customer]), flow: flow)
        if let error = decisions.errors.first { throw error }
        return decisions.recommendations(at: 0, flow: description)
    }
}
