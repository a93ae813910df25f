import ArgumentParser
import DecideStore

extension CustomersCommand {
    /// `decide customers generate --count N [--seed S]`: a synthetic audience for demos and benchmarks.
    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a realistic synthetic audience, the same for the same seed."
        )

        @OptionGroup var store: StoreOptions
        @OptionGroup var importOptions: ImportOptionGroup

        @Option(help: "How many customers to generate.")
        var count: Int

        @Option(help: "The random seed.")
        var seed: UInt64 = 1

        func validate() throws {
            guard count >= 0 else { throw ValidationError("--count must be 0 or more") }
        }

        func run() async throws {
            try await importOptions.run(.generated(count: count, seed: seed), store: store, options: ImportOptions())
        }
    }
}
