import ArgumentParser
import DecideStore
import DecideText

extension CustomersCommand {
    /// `decide customers show ID`: one customer's attributes.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one customer.")

        @OptionGroup var store: StoreOptions
        @Flag(help: "Print JSON.") var json = false

        @Argument(help: "The customer's id.")
        var id: String

        func run() async throws {
            let batch = try await store.open().customer(id: id)
            let customer = batch.customers[0]
            if json { return try JSONOutput.print(CustomerDocument(fieldNames: batch.fieldNames, customer: customer)) }
            let width = batch.fieldNames.map(\.count).max() ?? 0
            for (name, value) in zip(batch.fieldNames, customer.values) {
                print("\(name.paddedRight(to: width))  \(value == .null ? "(missing)" : value.plainText)")
            }
        }
    }
}
