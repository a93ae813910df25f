import ArgumentParser
import DecideStore

extension SegmentsCommand {
    /// `decide segments show NAME`: a segment's filter, count and a few sample customers.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a segment: its filter, count and sample customers.")

        @OptionGroup var store: StoreOptions
        @Flag(help: "Print JSON.") var json = false

        @Argument(help: "The segment's name.")
        var name: String

        @Option(help: "How many sample customers to show.")
        var samples = 5

        func run() async throws {
            let opened = try await store.open()
            let counted = try await opened.segment(named: name)
            let sample = try await opened.sample(.named(name), limit: max(0, samples))
            let segment = counted.segment
            if json { return try JSONOutput.print(SegmentDocument(segment, count: counted.count, sample: sample)) }
            print("Segment:     \(segment.name)")
            print("Description: \(segment.description)")
            print("Filter:      \(segment.filter.isEmpty ? "(every customer)" : segment.filter)")
            print("Customers:   \(counted.count)")
            if !sample.customers.isEmpty {
                print("")
                print(CustomerTable.render(sample))
            }
        }
    }
}
