import ArgumentParser
import DecideStore
import DecideText
import DecisionEngine

extension FlowsCommand {
    /// `decide flows list`: every flow with its name and the size of its catalogue and stages.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the flows with their names, offers and stages.")

        @OptionGroup var flows: FlowOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let library = flows.library
            let worker = try flows.worker()
            let entries = worker.listing(of: library)
            if json { return try JSONOutput.print(entries) }
            print(TextTable(
                headers: ["KEY", "NAME", "OFFERS", "STAGES", "CONSTRAINTS"],
                rows: entries.map { entry in
                    [entry.key, entry.name ?? "(does not load: run decide flows check)",
                     entry.offers.map(String.init) ?? "-", entry.stages.map(String.init) ?? "-",
                     entry.constraints.map { list in list.isEmpty ? "-" : list.map { "\($0.name) ≤ \($0.max)" }.joined(separator: ", ") } ?? "-"]
                }
            ).render())
        }
    }
}
