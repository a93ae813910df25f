import ArgumentParser
import DecideStore

extension SegmentsCommand {
    /// `decide segments create NAME --filter EXPR`: saves a segment after checking its filter.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Save a segment: a name, a description and a filter.")

        @OptionGroup var store: StoreOptions
        @Flag(help: "Print JSON.") var json = false

        @Argument(help: "The segment's name (letters, digits, _, - and .).")
        var name: String

        @Option(help: "The filter expression (see docs/segments.md).")
        var filter: String

        @Option(help: "What the segment is for.")
        var description = ""

        @Flag(help: "Replace a segment of the same name.")
        var replace = false

        func run() async throws {
            let opened = try await store.open()
            let segment = try await opened.saveSegment(name: name, filter: filter, description: description, replace: replace)
            let count = try await opened.count(.named(segment.name))
            if json { return try JSONOutput.print(SegmentDocument(segment, count: count)) }
            print("Saved segment \(segment.name): \(count) customers.")
        }
    }
}
