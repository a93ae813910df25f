import ArgumentParser
import DecideText
import DecisionEngine

extension FlowsCommand {
    /// `decide flows list`: every flow with its name and the size of its catalogue and stages.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the flows with their names, offers and stages.")

        @OptionGroup var flows: FlowOptions
        @Flag(help: "Print JSON.") var json = false

        /// One flow as listed: its description, or the problem that keeps it from loading.
        struct Entry: Encodable {
            var key: String
            var name: String?
            var description: String?
            var offers: Int?
            var stages: Int?
            var error: String?
        }

        func run() throws {
            let library = flows.library
            let worker = try flows.worker()
            let entries = library.keys().map { key -> Entry in
                do {
                    let flow = try worker.describe(try library.source(of: key))
                    return Entry(key: key, name: flow.name, description: flow.description, offers: flow.offers.count,
                                 stages: flow.stages.count)
                } catch {
                    return Entry(key: key, error: "\(error)")
                }
            }
            if json { return try JSONOutput.print(entries) }
            print(TextTable(
                headers: ["KEY", "NAME", "OFFERS", "STAGES"],
                rows: entries.map { entry in
                    [entry.key, entry.name ?? "(does not load: run decide flows check)",
                     entry.offers.map(String.init) ?? "-", entry.stages.map(String.init) ?? "-"]
                }
            ).render())
        }
    }
}
