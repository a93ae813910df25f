import ArgumentParser
import DecideStore

/// The options `customers import` and `customers generate` share.
struct ImportOptionGroup: ParsableArguments {
    @Flag(help: "Replace the whole audience instead of updating existing ids.")
    var replace = false

    @Flag(help: "Print JSON.")
    var json = false

    /// Imports `source` into the store and prints the summary.
    func run(_ source: ImportSource, store: StoreOptions, options: ImportOptions) async throws {
        var options = options
        options.replace = replace
        let summary = try await store.open().importCustomers(from: source, options: options)
        if json { return try JSONOutput.print(summary) }
        var line = "Imported \(summary.imported) customers"
        if summary.rejected > 0 { line += ", rejected \(summary.rejected) invalid rows" }
        if !summary.addedAttributes.isEmpty {
            line += "; new attributes: " + summary.addedAttributes.map { "\($0.name) (\($0.type.rawValue))" }.joined(separator: ", ")
        }
        print(line + ".")
    }
}
