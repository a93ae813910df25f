import ArgumentParser
import DecideStore

extension SegmentsCommand {
    /// `decide segments delete NAME`.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a saved segment (\"all\" cannot be deleted).")

        @OptionGroup var store: StoreOptions
        @Flag(help: "Print JSON.") var json = false

        @Argument(help: "The segment's name.")
        var name: String

        func run() async throws {
            try await store.open().deleteSegment(named: name)
            if json { return try JSONOutput.print(["deleted": name]) }
            print("Deleted segment \(name).")
        }
    }
}
