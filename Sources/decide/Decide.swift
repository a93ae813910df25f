import ArgumentParser

/// The `decide` command: runs marketing decision flows over customer audiences.
@main
struct Decide: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decide",
        abstract: "Run marketing decision flows (Lua) over customer audiences.",
        subcommands: [
            RunCommand.self, RunsCommand.self, FlowsCommand.self, CustomersCommand.self, SegmentsCommand.self,
            ReplCommand.self, ServeCommand.self,
        ]
    )
}
