import ArgumentParser
import DecideStore
import DecideText
import DecisionEngine
import Foundation

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
        @Option(
            help: ArgumentHelp(
                "Decide as of this time (ISO 8601 with a zone, or a date meaning 00:00 UTC) instead of now.", valueName: "time"))
        var asOf: String?
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            guard (customerJson == nil) != (customer == nil) else {
                throw ValidationError("give exactly one of --customer-json and --customer")
            }
            if let asOf, Interaction.time(asOf) == nil {
                throw ValidationError("--as-of: \"\(asOf)\" is not a time: use ISO 8601 with a zone (2026-11-02T09:30:00Z) or a date (2026-11-02)")
            }
        }

        func run() async throws {
            let input = if let customerJson {
                try CustomerInput(json: customerJson)
            } else {
                CustomerInput(batch: try await store.open().customer(id: customer!))
            }
            let source = try flows.source(of: flow)
            let decisionTime = asOf.flatMap(Interaction.time).map { Int64($0.timeIntervalSince1970.rounded(.down)) }
            let trace = try flows.worker().trace(
                input.customer, fieldNames: input.fieldNames, flow: source, seed: seed, decisionTime: decisionTime)
            if json { return try JSONOutput.print(trace) }
            print(TraceText.render(trace))
            if let note = try flows.worker().describe(source).constraintsNote { print("\n" + note) }
        }
    }
}
