import ArgumentParser
import DecisionEngine

extension FlowsCommand {
    /// `decide flows check [FLOW...]`: loads each flow in the sandbox and validates its definition.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load each flow in the sandbox and validate it; exit 1 when any flow has a problem.",
            discussion: "Checks: the flow loads (syntax, require), unique offer ids, required offer fields, known stage kinds, stage names, rank.top a positive integer."
        )

        @OptionGroup var flows: FlowOptions
        @Argument(help: "Flows to check, by key or path (default: every flow).") var names: [String] = []
        @Flag(help: "Print JSON.") var json = false

        /// One flow's verdict.
        struct Verdict: Encodable {
            var flow: String
            var ok: Bool
            var problems: [String]
        }

        func run() async throws {
            let library = flows.library
            let worker = try flows.worker()
            var verdicts: [Verdict] = []
            for name in names.isEmpty ? library.keys() : names {
                do {
                    _ = try worker.describe(try library.source(of: name))
                    verdicts.append(Verdict(flow: name, ok: true, problems: []))
                } catch {
                    verdicts.append(Verdict(flow: name, ok: false, problems: error.problems))
                }
            }
            if json {
                try JSONOutput.print(verdicts)
            } else {
                for verdict in verdicts {
                    print(verdict.ok ? "ok       \(verdict.flow)" : "problems \(verdict.flow)")
                    for problem in verdict.problems { print("  \(problem)") }
                }
            }
            if verdicts.contains(where: { !$0.ok }) { throw CommandFailure.failed }
        }
    }
}
