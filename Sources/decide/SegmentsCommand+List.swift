import ArgumentParser
import DecideStore
import DecideText

extension SegmentsCommand {
    /// `decide segments list`: every saved segment with its live count.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the saved segments with their current counts.")

        @OptionGroup var store: StoreOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let segments = try await store.open().segments()
            if json { return try JSONOutput.print(segments.map { SegmentDocument($0.segment, count: $0.count) }) }
            let nameWidth = max(4, segments.map(\.segment.name.count).max() ?? 0)
            let countWidth = max(5, segments.map { String($0.count).count }.max() ?? 0)
            print("\("NAME".paddedRight(to: nameWidth))  \("COUNT".paddedRight(to: countWidth))  FILTER")
            for entry in segments {
                let filter = entry.segment.filter.isEmpty ? "(every customer)" : entry.segment.filter
                print("\(entry.segment.name.paddedRight(to: nameWidth))  \(String(entry.count).paddedRight(to: countWidth))  \(filter)")
            }
        }
    }
}
