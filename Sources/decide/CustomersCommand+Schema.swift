import ArgumentParser
import DecideStore
import DecideText

extension CustomersCommand {
    /// `decide customers schema`: the customer attributes and their types.
    struct Schema: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the customer attributes and their types.")

        @OptionGroup var store: StoreOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let schema = try await store.open().schema()
            if json { return try JSONOutput.print(schema.attributes) }
            let width = schema.names.map(\.count).max() ?? 0
            for attribute in schema.attributes {
                print("\(attribute.name.paddedRight(to: width))  \(attribute.type.rawValue)")
            }
        }
    }
}
