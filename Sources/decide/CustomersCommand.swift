import ArgumentParser

/// `decide customers`: the audience in the store.
struct CustomersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customers",
        abstract: "Import, generate and inspect customers.",
        subcommands: [Schema.self, Import.self, Generate.self, Show.self, Count.self]
    )
}
