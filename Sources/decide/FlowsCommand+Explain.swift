import ArgumentParser
import DecideStore
import DecideText
import DecisionEngine

extension FlowsCommand {
    /// `decide flows explain FLOW`: why one customer gets what they get, stage by stage.
    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show, stage by stage, what a flow decides for one customer and why."
        )

        @OptionGroup var flows: FlowOptions
        @OptionGroup var store: StoreOptions
        @Argument(help: "The flow, by key or path.") var flow: String
        @Option(help: "The customer as a JSON object, e.g. '{\"id\": \"c1\", \"age\": 30}'.") var customerJson: String?
        @Option(help: "A stored customer's id.") var customer: String?
        @Option(help: "The seed for math.random (as a run's --seed).") var seed: UInt64 = 0
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            guard (customerJson == nil) != (customer == nil) else {
                throw ValidationError("give exactly one of --customer-json and --customer")
            }
        }

        func run() async throws {
            let input = if let customerJson {
                try CustomerInput(json: customerJson)
            } else {
                CustomerInput(batch: try await store.open().customer(id: customer!))
            }
            let source = try flows.source(of: flow)
            let trace = try flows.worker().trace(input.customer, fieldNames: input.fieldNames, flow: source, seed: seed)
            if json { return try JSONOutput.print(trace) }
            print(TraceText.render(trace))
            if let note = try flows.worker().describe(source).constraintsNote { print("\n" + note) }
        }
    }
}
