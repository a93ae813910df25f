import ArgumentParser

/// `decide segments`: saved segments.
struct SegmentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segments",
        abstract: "Create, list, show and delete saved segments.",
        subcommands: [Create.self, List.self, Show.self, Delete.self]
    )
}
