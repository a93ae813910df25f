import ArgumentParser

/// `decide flows`: list, check, explain and test decision flows.
struct FlowsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flows",
        abstract: "List, check, explain and test decision flows.",
        subcommands: [List.self, Check.self, Explain.self, Test.self]
    )
}
