import ArgumentParser
import DecideStore
import DecideText
import DecisionEngine
import Foundation
import RunEngine

/// `decide run FLOW (--segment NAME | --filter EXPR)`: creates a run and executes it.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a flow over a segment: every customer goes through the flow.",
        discussion: "Exit 0 when the run completed, 1 when it failed or was cancelled, 2 for invalid input."
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var flows: FlowOptions
    @Argument(help: "The flow, by key or path.") var flow: String
    @Option(help: "A saved segment.") var segment: String?
    @Option(help: "An ad-hoc filter, e.g. 'age >= 30 and app_user'.") var filter: String?
    @Option(help: "The run's name (default: FLOW × SEGMENT).") var name: String?
    @Option(help: "Worker threads (default: the number of cores).") var workers: Int?
    @Option(help: "Customers per batch (default 1000).") var batchSize: Int?
    @Option(help: "The seed for math.random in the flow (default 0).") var seed: UInt64?
    @Option(help: "Failing customers to record before the run fails (default 0).") var maxErrors: Int?
    @Option(help: "Memory per Lua state, in MiB (default 64).") var memoryLimitMib: Int?
    @Option(help: "VM instructions per customer (default 10000000).") var instructionBudget: Int?
    @Option(help: "Wall-clock seconds per customer (default 2).") var deadlineSeconds: Double?
    @Option(help: "Customers per chunk, the unit worker processes claim (default 10000).") var chunkSize: Int?
    @Flag(help: "Create the run and print its id without executing it: `decide worker` processes pick it up.")
    var detach = false
    @Option(
        name: .customLong("volume"),
        help: ArgumentHelp(
            "A run-wide cap, adding to or replacing the flow's: offer:ID=MAX, offers:A,B=MAX, channel:NAME=MAX or total=MAX (repeatable).",
            valueName: "selector=max"))
    var volumes: [String] = []
    @Option(
        help: ArgumentHelp(
            "Decide as of this time (ISO 8601 with a zone, or a date meaning 00:00 UTC): what the flow sees as now.",
            valueName: "time"))
    var asOf: String?
    @Flag(help: "Simulate: store nothing, print the same summary.") var dryRun = false
    @Option(help: "With --dry-run: a deterministic sample of N customers of the segment.") var sample: Int?
    @Flag(help: "No progress display.") var quiet = false
    @Flag(help: "Print the run document as JSON.") var json = false

    func validate() throws {
        guard (segment == nil) != (filter == nil) else { throw ValidationError("give exactly one of --segment and --filter") }
        if sample != nil && !dryRun { throw ValidationError("--sample goes with --dry-run") }
        if detach && dryRun { throw ValidationError("--detach and --dry-run do not go together") }
        if let asOf, Interaction.time(asOf) == nil {
            throw ValidationError("--as-of: \"\(asOf)\" is not a time: use ISO 8601 with a zone (2026-11-02T09:30:00Z) or a date (2026-11-02)")
        }
        for text in volumes {
            do { _ = try VolumeConstraint.parse(option: text) } catch { throw ValidationError("--volume: \(error.description)") }
        }
    }

    func run() async throws {
        let store = try await self.store.open()
        let request = RunRequest(flow: flow, segment: segment, filter: filter, name: name, workers: workers,
                                 batchSize: batchSize, seed: seed, maxErrors: maxErrors,
                                 limits: RunLimits(memoryLimitMiB: memoryLimitMib, instructionBudget: instructionBudget,
                                                   deadlineSeconds: deadlineSeconds),
                                 chunkSize: chunkSize,
                                 constraints: volumes.isEmpty ? nil : try volumes.map { try VolumeConstraint.parse(option: $0) },
                                 asOf: asOf.flatMap(Interaction.time))
        let planner = RunPlanner(library: flows.library, store: store)
        let display = ProgressDisplay(quiet: quiet || json)
        let document: RunDocument
        if dryRun {
            let plan = try await planner.plan(request)
            document = try await DryRun(store: store).simulate(plan.new, sample: sample, onProgress: display.show)
        } else if detach {
            let record = try await planner.create(request)
            if json { try JSONOutput.print(try await RunDocument(record, store: store)) } else { print(record.id) }
            return
        } else {
            let record = try await planner.create(request)
            let ended = try await ForegroundRun.execute(record.id, store: store, onProgress: display.show)
            document = try await RunDocument(ended, store: store)
        }
        display.finish()
        if json { try JSONOutput.print(document) } else { print(RunText.render(document)) }
        if document.status != RunStatus.completed.rawValue { throw CommandFailure.failed }
    }
}
