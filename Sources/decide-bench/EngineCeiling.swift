import DecideStore
import DecisionEngine
import Foundation

/// `decide-bench engine-ceiling DATABASE FLOWS_DIR FLOW`: Decide's own engine deciding a store's whole audience
/// inside one sandboxed state with the customers already in Lua tables (no store, no marshalling, no commits), so
/// that `scripts/bench-engine.sh` can split a run's cost between the engine and the host. Prints customers/s.
enum EngineCeiling {
    static func run(database: String, flows: String, flow key: String) async throws {
        let store = try SQLiteCustomerStore(path: database)
        var cursor = try store.customerBatches(.named("all"), batchSize: 10_000)
        var fieldNames: [String] = []
        var customers: [Customer] = []
        while let batch = try await cursor.next() {
            fieldNames = batch.fieldNames
            customers += batch.customers
        }
        let source = try FlowLibrary(directory: flows).source(of: key)
        let rate = try FlowWorker().pureLuaCeiling(
            CustomerBatch(fieldNames: fieldNames, customers: customers), flow: source, repetitions: 1, metered: false)
        print(String(format: "%.0f", rate))
    }
}
