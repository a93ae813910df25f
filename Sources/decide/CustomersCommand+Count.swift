import ArgumentParser
import DecideStore

extension CustomersCommand {
    /// `decide customers count [--filter EXPR]`: how many customers (a filter) selects.
    struct Count: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Count customers, all or those a filter selects.")

        @OptionGroup var store: StoreOptions
        @Flag(help: "Print JSON.") var json = false

        @Option(help: "A filter expression, such as 'age >= 30 and not has_loan' (see docs/segments.md).")
        var filter: String?

        func run() async throws {
            let count = try await store.open().count(.expression(filter ?? ""))
            if json { return try JSONOutput.print(["count": count]) }
            print(count)
        }
    }
}
